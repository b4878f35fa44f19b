// A stop has a budget: each part gets what is left of it, and one that overruns is killed.

/** The promise's value, or false when it has not settled within `ms` (it keeps running). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
