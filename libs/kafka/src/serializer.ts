import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { basicAuthorization, type Credentials, type RegistryConfig } from '@tributary/config';
import {
  type EventValue,
  SUBJECT_COMPATIBILITY,
  type TopicDefinition,
  valueSubject,
} from '@tributary/contracts';
import { Type } from 'avsc';
import {
  DecodeError,
  EventValidationError,
  PermanentError,
  RetriableError,
  SchemaIncompatibleError,
  UnavailableError,
} from './errors';

/**
 * Turns event values into bytes and back. Behind a token so a service can swap the registry-backed
 * implementation for another one (a test double, a JSON one for a debugging session).
 */
export interface EventSerializer {
  /** Registers each topic's value schema (idempotent); call at start-up, before producing or consuming. */
  register(topics: readonly TopicDefinition[]): Promise<void>;
  /** Validates, then encodes. Throws EventValidationError naming the fields at fault. */
  encode<T extends TopicDefinition>(topic: T, value: NoInfer<EventValue<T>>): Promise<Buffer>;
  /**
   * Decodes bytes written with any registered version of the topic's schema, read through the
   * topic's current schema. Throws DecodeError (unreadable bytes, unknown schema id),
   * EventValidationError (written with a schema the topic's schema cannot read) or UnavailableError
   * (the registry could not be reached).
   */
  decode<T extends TopicDefinition>(topic: T, buffer: Buffer): Promise<EventValue<T>>;
}

export const EVENT_SERIALIZER = Symbol('EVENT_SERIALIZER');

/** Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro binary body. */
/** The registry's answer to a concurrent first registration of a subject (Apicurio's ccompat API). */
const ALREADY_EXISTS = /already exists/i;

const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export function wireSchemaId(buffer: Buffer): number | undefined {
  if (buffer.length < HEADER_LENGTH || buffer[0] !== MAGIC_BYTE) return undefined;
  return buffer.readUInt32BE(1);
}

export function toWireFormat(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** The field paths at which a value breaks its schema, e.g. `request.maxResults`. */
export function invalidPaths(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[]) => paths.push(path.length === 0 ? '(value)' : path.join('.')),
  });
  return paths;
}

interface RegistryFailure {
  status?: number;
}

function registryStatus(error: unknown): number | undefined {
  const status = (error as RegistryFailure | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

export interface RegistrySerializerOptions {
  readonly registryUrl: string;
  /** Basic-auth credentials, sent with every request when the registry asks for them. */
  readonly credentials?: Credentials | undefined;
  readonly clientId?: string;
  /** Injected in tests; built from registryUrl otherwise. */
  readonly registry?: SchemaRegistry;
}

/** The registry-backed serializer the configuration describes (address and credentials). */
export function createRegistrySerializer(
  config: RegistryConfig,
  options: { readonly clientId?: string } = {},
): RegistrySerializer {
  return new RegistrySerializer({
    registryUrl: config.registryUrl,
    credentials: config.registryCredentials,
    ...options,
  });
}

/** 401 and 403: the registry refused our credentials (or wants some); an operator must act. */
function refusedCredentials(status: number | undefined): boolean {
  return status === 401 || status === 403;
}

const CREDENTIALS_HINT = 'check TRIBUTARY_REGISTRY_USERNAME and TRIBUTARY_REGISTRY_PASSWORD';

interface TopicState {
  readonly type: Type;
  schemaId?: number;
  registering?: Promise<number>;
}

/**
 * Avro through a Confluent-compatible schema registry (Apicurio's ccompat API on the local stack).
 *
 * What we found running @kafkajs/confluent-schema-registry 3.9 against Apicurio 2.6, and handle here:
 * - First registration, re-registration (same id back) and the refusal of an incompatible
 *   change (HTTP 409) behave as on Confluent.
 * - `GET /config/{subject}` on a subject that has no level of its own answers 200 with the global
 *   level ("NONE") where Confluent answers 404, so the client's check throws "Compatibility does not
 *   match" for a subject somebody registered without a level. We therefore set the level ourselves
 *   (`PUT /config/{subject}`, which Apicurio accepts before the subject exists) before registering,
 *   which also closes the window in which the client registers first and sets the level after.
 * - A network failure surfaces from the client as HTTP status 400: only 404, 409 and 422 are
 *   treated as permanent, anything else as retriable.
 * Writer schemas are fetched by id once and cached (by the client); a resolver per (topic, writer
 * id) is cached here, so steady-state decoding does no I/O and no schema parsing.
 */
export class RegistrySerializer implements EventSerializer {
  private readonly registry: SchemaRegistry;
  private readonly topics = new Map<string, TopicState>();
  private readonly resolvers = new Map<string, Promise<ReturnType<Type['createResolver']> | 'same'>>();

  constructor(private readonly options: RegistrySerializerOptions) {
    const { credentials } = options;
    this.registry =
      options.registry ??
      new SchemaRegistry({
        host: options.registryUrl,
        clientId: options.clientId ?? 'tributary',
        ...(credentials
          ? { auth: { username: credentials.username, password: credentials.password.reveal() } }
          : {}),
      });
  }

  async register(topics: readonly TopicDefinition[]): Promise<void> {
    await Promise.all(topics.map((topic) => this.schemaIdFor(topic)));
  }

  /** The registry id of the topic's current schema, registering it on first use. */
  async schemaIdFor(topic: TopicDefinition): Promise<number> {
    const state = this.state(topic);
    if (state.schemaId !== undefined) return state.schemaId;
    state.registering ??= this.registerSchema(topic).then(
      (id) => {
        state.schemaId = id;
        return id;
      },
      (error: unknown) => {
        state.registering = undefined;
        throw error;
      },
    );
    return state.registering;
  }

  async encode<T extends TopicDefinition>(topic: T, value: NoInfer<EventValue<T>>): Promise<Buffer> {
    const { type } = this.state(topic);
    // The check without a hook is the fast one; the paths are collected only to explain a refusal.
    const paths = type.isValid(value) ? [] : invalidPaths(type, value);
    if (paths.length > 0) {
      throw new EventValidationError(
        `value for ${topic.name} does not match its schema at ${paths.join(', ')}`,
        {
          topic: topic.name,
          paths,
        },
      );
    }
    const schemaId = await this.schemaIdFor(topic);
    return toWireFormat(schemaId, type.toBuffer(value));
  }

  decode<T extends TopicDefinition>(topic: T, buffer: Buffer): Promise<EventValue<T>> {
    // Decoded through the topic's schema, so the value has the topic's type.
    return this.decodeValue(topic, buffer) as Promise<EventValue<T>>;
  }

  private async decodeValue(topic: TopicDefinition, buffer: Buffer): Promise<unknown> {
    const schemaId = wireSchemaId(buffer);
    if (schemaId === undefined) {
      throw new DecodeError(
        `not in the Confluent wire format (${buffer.length} bytes, first byte ${buffer[0]})`,
        {
          topic: topic.name,
        },
      );
    }
    const { type } = this.state(topic);
    const resolver = await this.resolverFor(topic, type, schemaId);
    try {
      const body = buffer.subarray(HEADER_LENGTH);
      return resolver === 'same'
        ? (type.fromBuffer(body) as unknown)
        : (type.fromBuffer(body, resolver) as unknown);
    } catch (cause) {
      throw new DecodeError(`cannot read the Avro body written with schema id ${schemaId}`, {
        topic: topic.name,
        cause,
      });
    }
  }

  private state(topic: TopicDefinition): TopicState {
    let state = this.topics.get(topic.name);
    if (!state) {
      state = { type: Type.forSchema(topic.schema as Parameters<typeof Type.forSchema>[0]) };
      this.topics.set(topic.name, state);
    }
    return state;
  }

  private resolverFor(topic: TopicDefinition, reader: Type, schemaId: number) {
    const cacheKey = `${topic.name}\u0000${schemaId}`;
    let resolver = this.resolvers.get(cacheKey);
    if (!resolver) {
      resolver = this.writerType(topic, schemaId).then((writer) => {
        if (reader.equals(writer)) return 'same' as const;
        try {
          return reader.createResolver(writer);
        } catch (cause) {
          throw new EventValidationError(
            `schema id ${schemaId} was not written for ${topic.name}: its schema cannot be read as the topic's schema`,
            { topic: topic.name, cause },
          );
        }
      });
      // Only successes stay cached: a registry outage must not poison the cache.
      resolver.catch(() => this.resolvers.delete(cacheKey));
      this.resolvers.set(cacheKey, resolver);
    }
    return resolver;
  }

  private async writerType(topic: TopicDefinition, schemaId: number): Promise<Type> {
    let schema: unknown;
    try {
      schema = await this.registry.getSchema(schemaId);
    } catch (cause) {
      const status = registryStatus(cause);
      if (status === 404)
        throw new DecodeError(`unknown schema id ${schemaId}`, { topic: topic.name, cause });
      // Transient, refused credentials too: a configuration fault must not dead-letter events.
      throw new UnavailableError(
        refusedCredentials(status)
          ? `schema registry refused our credentials (HTTP ${status}) while fetching schema id ${schemaId}; ${CREDENTIALS_HINT}`
          : `schema registry unavailable while fetching schema id ${schemaId}`,
        { topic: topic.name, cause },
      );
    }
    if (!(schema instanceof Type)) {
      throw new DecodeError(`schema id ${schemaId} is not an Avro schema`, { topic: topic.name });
    }
    return schema;
  }

  private async registerSchema(topic: TopicDefinition): Promise<number> {
    const subject = valueSubject(topic.name);
    await this.ensureCompatibility(subject, topic.name);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.registerOnce(topic, subject);
      } catch (error) {
        // Processes registering a new subject at the same moment (a replay's three agents, with no
        // gateway to go first): the registry may refuse all but one with "already exists". Asked
        // again, it finds the schema registered and answers its id.
        if (
          !(error instanceof SchemaIncompatibleError) ||
          !ALREADY_EXISTS.test(error.message) ||
          attempt >= 3
        )
          throw error;
      }
    }
  }

  private async registerOnce(topic: TopicDefinition, subject: string): Promise<number> {
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(topic.schema) },
        { subject, compatibility: COMPATIBILITY[SUBJECT_COMPATIBILITY] },
      );
      return id;
    } catch (cause) {
      const status = registryStatus(cause);
      const message = cause instanceof Error ? cause.message : String(cause);
      if (status === 409) {
        throw new SchemaIncompatibleError(
          `registry refused the schema of ${topic.name}: ${message}`,
          subject,
          {
            topic: topic.name,
            cause,
          },
        );
      }
      if (refusedCredentials(status)) {
        throw new PermanentError(
          `schema registry refused our credentials (HTTP ${status}) while registering ${subject}; ${CREDENTIALS_HINT}`,
          { topic: topic.name, cause },
        );
      }
      if (status === 422) {
        throw new PermanentError(`registry rejected the schema of ${topic.name} as invalid: ${message}`, {
          topic: topic.name,
          cause,
        });
      }
      throw new RetriableError(`schema registry unavailable while registering ${subject}: ${message}`, {
        topic: topic.name,
        cause,
      });
    }
  }

  private async ensureCompatibility(subject: string, topicName: string): Promise<void> {
    const url = `${this.options.registryUrl.replace(/\/+$/, '')}/config/${encodeURIComponent(subject)}`;
    const { credentials } = this.options;
    const headers = {
      'Content-Type': 'application/vnd.schemaregistry.v1+json',
      ...(credentials ? { Authorization: basicAuthorization(credentials) } : {}),
    };
    const what = `setting ${SUBJECT_COMPATIBILITY} on ${subject}`;
    const current = await this.request(url, { headers }, what, topicName);
    if (current.ok) {
      const body = (await current.json().catch(() => ({}))) as { compatibilityLevel?: string };
      if (body.compatibilityLevel?.toUpperCase() === SUBJECT_COMPATIBILITY) return;
    }
    const updated = await this.request(
      url,
      { method: 'PUT', headers, body: JSON.stringify({ compatibility: SUBJECT_COMPATIBILITY }) },
      what,
      topicName,
    );
    if (!updated.ok) {
      throw new RetriableError(
        `cannot set ${SUBJECT_COMPATIBILITY} on ${subject}: PUT answered ${updated.status}: ${await updated.text()}`,
        { topic: topicName },
      );
    }
  }

  /** A request of our own to the registry: unreachable is retriable, refused credentials are not. */
  private async request(url: string, init: RequestInit, what: string, topicName: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (cause) {
      throw new RetriableError(`schema registry unavailable while ${what}`, { topic: topicName, cause });
    }
    if (refusedCredentials(response.status)) {
      throw new PermanentError(
        `schema registry refused our credentials (HTTP ${response.status}) while ${what}; ${CREDENTIALS_HINT}`,
        { topic: topicName },
      );
    }
    return response;
  }
}

/**
 * `decode` for code that knows the topic only at run time. (Instantiating `EventValue` for the
 * generic `TopicDefinition` recurses without end in the type checker; `never` stops it.)
 */
export function decodeUntyped(
  serializer: EventSerializer,
  topic: TopicDefinition,
  buffer: Buffer,
): Promise<unknown> {
  return serializer.decode(topic as TopicDefinition<never>, buffer);
}
