const REDACTED = '[redacted]';

/**
 * A password or private key read from the configuration. It prints as `[redacted]` however it is
 * printed (string, JSON, `util.inspect`, a logged object), so a configuration or an error that
 * carries one can be logged; only `reveal()` gives the value, at the one place that hands it to a
 * client library.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED})`;
  }
}

/** A user name and password for HTTP basic authentication or SASL. */
export interface Credentials {
  readonly username: string;
  readonly password: Secret;
}

/** The `Authorization` header value of HTTP basic authentication (RFC 7617). */
export function basicAuthorization({ username, password }: Credentials): string {
  return `Basic ${Buffer.from(`${username}:${password.reveal()}`, 'utf8').toString('base64')}`;
}
