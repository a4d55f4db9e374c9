/** The little of better-sqlite3 the node lock uses (the package ships no types). */
declare module 'better-sqlite3' {
  class Database {
    constructor(path: string, options?: { timeout?: number });
    exec(source: string): this;
    close(): void;
  }
  export default Database;
}
