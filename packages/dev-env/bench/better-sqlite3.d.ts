/** The little of better-sqlite3 the catch-up baseline uses (the package ships no types). */
declare module 'better-sqlite3' {
  interface Statement {
    run(...params: unknown[]): unknown;
  }
  class Database {
    constructor(path: string);
    pragma(source: string): unknown;
    exec(source: string): this;
    prepare(source: string): Statement;
    transaction<T extends (...args: never[]) => unknown>(fn: T): T;
    close(): void;
  }
  export default Database;
}
