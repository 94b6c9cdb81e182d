interface IndexedWriteError {
  /** The position of the failed document or operation in the bulk write. */
  readonly index: number;
  /** The server's error code: `isDuplicateKey` (from @tributary/platform) tells a taken key. */
  readonly code: unknown;
}

/**
 * The per-document failures of a bulk write (`insertMany`, `bulkWrite`), in operation order; [] if
 * it has none (then the error is about the whole command).
 */
export function writeErrorsOf(error: unknown): IndexedWriteError[] {
  if (typeof error !== 'object' || error === null) return [];
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list
    .map((e) => {
      const item = e as { index?: unknown; code?: unknown; err?: { index?: unknown; code?: unknown } };
      return { index: Number(item.index ?? item.err?.index), code: item.code ?? item.err?.code };
    })
    .filter((e) => Number.isInteger(e.index))
    .sort((a, b) => a.index - b.index);
}
