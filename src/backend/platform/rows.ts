/**
 * This file defines how a store reads a database row: a record's camelCase fields are its table's
 * snake_case columns (`createdAt` is `created_at`), so one list of fields maps a row to a record.
 */

/** A camelCase name in snake_case (`createdAt` → `created_at`). */
export type SnakeCase<Name extends string> = Name extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : Name;

/** An item's row: each field under its snake_case column name. */
export type RowOf<Item> = { [Field in keyof Item & string as SnakeCase<Field>]: Item[Field] };

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The record a row holds: the columns of `fields`, in that order, under their camelCase names;
 * a column the row lacks reads as null, and other columns (a `SELECT *` returns them all) are
 * left out.
 */
export function fromRow<Item>(row: RowOf<Item>, fields: ReadonlyArray<keyof Item & string>): Item {
  const columns = row as { [column: string]: unknown };
  return Object.fromEntries(
    fields.map((field) => [field, columns[snakeCase(field)] ?? null]),
  ) as Item;
}
