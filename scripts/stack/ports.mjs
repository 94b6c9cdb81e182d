// TCP ports: is one free, does something answer on it, and is that something the process we started.
import fs from 'node:fs';
import net from 'node:net';
import { HOST, readText } from './common.mjs';

/** True when nothing listens on 127.0.0.1:port (a quick bind probe; never use it while a server starts). */
export function isPortFree(port, host = HOST) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when a TCP connection to 127.0.0.1:port is accepted within `timeoutMs`. */
export function acceptsConnections(port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: HOST, port, timeout: timeoutMs });
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Inodes of sockets listening on TCP `port` (any address) per /proc/net/tcp{,6}; null without /proc. */
function listeningInodes(port) {
  if (process.platform !== 'linux') return null;
  const inodes = new Set();
  let readable = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = readText(table);
    if (text === null) continue;
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
      const local = cols[1];
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(cols[9]);
    }
  }
  return readable ? inodes : null;
}

/**
 * Whether process `pid` itself holds the socket listening on `port` (true/false), or null where that
 * cannot be told (no /proc). Guards readiness checks against another server answering on the port.
 */
export function processListensOn(pid, port) {
  const inodes = listeningInodes(port);
  if (inodes === null) return null;
  if (inodes.size === 0) return false;
  let fds;
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  for (const fd of fds) {
    let target;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m && inodes.has(m[1])) return true;
  }
  return false;
}
