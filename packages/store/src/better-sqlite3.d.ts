/** The little of better-sqlite3 the node lock and the error check use (the package ships no types). */
declare module 'better-sqlite3' {
  class Database {
    constructor(path: string, options?: { timeout?: number });
    exec(source: string): this;
    close(): void;
    static SqliteError: new (
      ...args: never[]
    ) => Error & { code: string };
  }
  export default Database;
}
