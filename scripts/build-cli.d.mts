/** Builds out/cli; resolves with the number of source files bundled. */
export function buildCliBundle(): Promise<number>;
