/**
 * Type-level reading of Avro schemas: the TypeScript type of an event is computed from the
 * schema literal itself, so the schema stays the single source of truth and a payload that
 * does not match it is a compile error.
 */

type Primitive = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly doc?: string;
  readonly default?: unknown;
}

export type AvroSchema =
  | Primitive
  | readonly AvroSchema[]
  | { readonly type: Primitive; readonly logicalType?: string }
  | {
      readonly type: 'record';
      readonly name: string;
      readonly namespace?: string;
      readonly doc?: string;
      readonly fields: readonly AvroField[];
    }
  | {
      readonly type: 'enum';
      readonly name: string;
      readonly symbols: readonly string[];
      readonly doc?: string;
      readonly default?: string;
    }
  | { readonly type: 'array'; readonly items: AvroSchema; readonly default?: readonly unknown[] }
  | { readonly type: 'map'; readonly values: AvroSchema };

export type AvroRecordSchema = Extract<AvroSchema, { type: 'record' }>;

type Scalar<S extends Primitive> = S extends 'null'
  ? null
  : S extends 'boolean'
    ? boolean
    : S extends 'int' | 'long' | 'float' | 'double'
      ? number
      : S extends 'bytes'
        ? Buffer
        : string;

type RecordOf<F extends readonly AvroField[]> = {
  -readonly [Field in F[number] as Field['name']]: InferAvro<Field['type']>;
};

/**
 * The value type an Avro schema literal describes. The wide `AvroSchema` itself (what a generic
 * schema stands for while TypeScript infers a call's type arguments) reads as `never`: following
 * its recursive branches would never end ("type instantiation is excessively deep"); `never`
 * keeps the constraint of a generic `EventValue<T>` an object type.
 */
export type InferAvro<S> = AvroSchema extends S ? never : InferSchema<S>;

type InferSchema<S> = S extends Primitive
  ? Scalar<S>
  : S extends readonly (infer Branch)[]
    ? InferAvro<Branch>
    : S extends { readonly type: 'record'; readonly fields: infer F extends readonly AvroField[] }
      ? RecordOf<F>
      : S extends { readonly type: 'enum'; readonly symbols: readonly (infer Symbol)[] }
        ? Symbol
        : S extends { readonly type: 'array'; readonly items: infer Item }
          ? InferAvro<Item>[]
          : S extends { readonly type: 'map'; readonly values: infer Value }
            ? Record<string, InferAvro<Value>>
            : S extends { readonly type: infer P extends Primitive }
              ? Scalar<P>
              : never;
