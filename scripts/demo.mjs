#!/usr/bin/env node
// `npm run demo [-- --user u-alice --request "…"]`: submits a task to the running gateway, prints its
// progress live from the SSE stream, then the reviewed recommendations.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    gateway: { type: 'string', default: `http://127.0.0.1:${process.env.TRIBUTARY_GATEWAY_PORT ?? 3000}` },
    user: { type: 'string', default: 'u-alice' },
    request: {
      type: 'string',
      default: 'a gripping science-fiction novel and something useful for weekend hikes',
    },
    max: { type: 'string', default: '4' },
    'max-price': { type: 'string' },
    'api-key': { type: 'string', default: process.env.TRIBUTARY_API_KEY },
  },
});

const headers = { 'content-type': 'application/json' };
if (values['api-key']) headers.authorization = `Bearer ${values['api-key']}`;

const body = {
  userId: values.user,
  request: values.request,
  maxResults: Number(values.max),
  ...(values['max-price'] ? { constraints: { maxPrice: Number(values['max-price']) } } : {}),
};

const submitted = await fetch(`${values.gateway}/v1/tasks`, {
  method: 'POST',
  headers,
  body: JSON.stringify(body),
}).catch((error) => {
  console.error(
    `cannot reach the gateway at ${values.gateway} (${error.cause?.code ?? error.message}): is \`npm start\` running?`,
  );
  process.exit(1);
});
const accepted = await submitted.json();
if (submitted.status !== 202) {
  console.error(`the gateway refused the task (${submitted.status}): ${JSON.stringify(accepted, null, 2)}`);
  process.exit(1);
}
console.log(`task ${accepted.taskId} accepted for ${values.user}: “${values.request}”\n`);

const started = Date.now();

function describe(type, d) {
  switch (type) {
    case 'task.progress':
      return `${d.stage}: ${d.message}`;
    case 'task.planned':
      return `planned ${d.steps ?? ''} research steps`.replace('  ', ' ');
    case 'research.completed':
      return `draft round ${d.round}: ${d.recommendations} recommendations (${d.provider})`;
    case 'review.completed':
      return `review round ${d.round}: ${d.verdict}, score ${Number(d.score).toFixed(2)}${d.verdict === 'revise' ? ` (${d.critique})` : ''}`;
    case 'recommendation.ready':
      return `ready: ${d.recommendations} recommendations after ${d.rounds} round(s)${d.bestEffort ? ', best effort' : ''}`;
    case 'task.failed':
      return `failed in ${d.stage}: ${d.reason}`;
    default:
      return type;
  }
}
const stream = await fetch(`${values.gateway}${accepted.links.events}`, {
  headers: { ...headers, accept: 'text/event-stream' },
});
const decoder = new TextDecoder();
let buffer = '';
let tokens = false;
for await (const chunk of stream.body) {
  buffer += decoder.decode(chunk, { stream: true });
  let end;
  while ((end = buffer.indexOf('\n\n')) >= 0) {
    const frame = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    const data = frame
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .join('\n');
    if (!data) continue;
    const event = JSON.parse(data);
    const at = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
    const details = event.data ?? {};
    if (details.tokenDelta) {
      process.stdout.write(tokens ? details.tokenDelta : `${at}s   ${details.tokenDelta}`);
      tokens = true;
      continue;
    }
    if (tokens) process.stdout.write('\n');
    tokens = false;
    console.log(`${at}s ${`[${event.status}]`.padEnd(13)} ${describe(event.type, details)}`);
  }
}

const task = await (await fetch(`${values.gateway}/v1/tasks/${accepted.taskId}`, { headers })).json();
console.log(
  `\nstatus: ${task.status}${task.result?.bestEffort ? ' (best effort)' : ''}, provider: ${task.result?.provider ?? 'n/a'}`,
);
if (task.status !== 'completed') {
  console.log(task.failure?.reason ?? '');
  process.exit(task.status === 'cancelled' ? 0 : 1);
}
console.log(`${task.result.summary}\n`);
for (const [i, rec] of task.result.recommendations.entries()) {
  console.log(`${i + 1}. ${rec.title} (${rec.category}, ${rec.price.toFixed(2)} ${rec.currency})`);
  console.log(`   ${rec.reason}`);
}
