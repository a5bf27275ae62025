export const appRoot: string;
export const bundleDir: string;
export const manifestPath: string;
/** True when out/cli was built after the last change to every source it was built from. */
export function bundleIsCurrent(root?: string): boolean;
/** The CLI's module: the bundle when current, else its TypeScript entry through tsx. */
export function loadCli<T = { main: (argv: string[]) => Promise<number> }>(
  name: string,
  sourceEntry: string,
): Promise<T>;
