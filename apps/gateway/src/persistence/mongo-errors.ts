/** MongoDB's duplicate-key error code: the unique index did its job. */
const DUPLICATE_KEY = 11000;

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === DUPLICATE_KEY;
}

/** True when every failure of a bulk write is a duplicate key (a redelivered insert): nothing was lost. */
export function onlyDuplicateKeys(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  if (Array.isArray(writeErrors))
    return (
      writeErrors.length > 0 &&
      writeErrors.every((e) => isDuplicateKey(e) || isDuplicateKey((e as { err?: unknown }).err))
    );
  return isDuplicateKey(error);
}
