/**
 * This file tests that the backend builds no SQL from values: every SQL text in src/backend is a
 * literal, or a template whose interpolations the type checker proves to be literal strings
 * (column lists, `FOR UPDATE`), `$n` placeholder numbers, or one of a few reviewed exceptions.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '../..');

/** Leading keywords that make a string literal SQL. */
const SQL_START = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|TRUNCATE|SET|GRANT)\b/i;

/**
 * Interpolations reviewed by hand, as `file: expression`. Each builds SQL structure, never a value:
 * identifiers quoted by db.ts's quoteIdentifier (the schema name from configuration), the adapters
 * that forward the caller's SQL text, migration files shipped with the code, and the audit query's
 * WHERE clause, assembled from literal `column = ?` fragments whose `?` become `$n` placeholders.
 */
const REVIEWED = new Set([
  'src/backend/platform/db.ts: quoteIdentifier(location.databaseSchema)',
  'src/backend/platform/db.ts: quoteIdentifier(schema)',
  'src/backend/platform/db.ts: text',
  'src/backend/platform/db.ts: script',
  'src/backend/platform/db.ts: migration.sql',
  "src/backend/audit/audit-log.ts: where.join(' AND ')",
]);

/** One SQL text whose value is not proven to be free of data. */
interface SqlFinding {
  file: string;
  line: number;
  expression: string;
}

/** True when the checker proves the type to be string literals (or a union of them). */
function isLiteralString(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.every(isLiteralString);
  return type.isStringLiteral();
}

function isNumber(type: ts.Type): boolean {
  return (type.flags & ts.TypeFlags.NumberLike) !== 0;
}

/**
 * Scans the program's source files under `folder` for SQL texts built from values: arguments of
 * `.query()`/`.exec()` calls and literals starting with an SQL keyword, through template
 * interpolation or `+` concatenation. Returns every unproven piece.
 */
function findUnparameterisedSql(
  program: ts.Program,
  folder: string,
): { findings: SqlFinding[]; reviewedSeen: Set<string> } {
  const checker = program.getTypeChecker();
  const findings: SqlFinding[] = [];
  const reviewedSeen = new Set<string>();
  for (const source of program.getSourceFiles()) {
    const file = path.relative(ROOT, source.fileName).split(path.sep).join('/');
    if (!source.fileName.startsWith(folder)) continue;
    const reported = new Set<number>();
    const report = (node: ts.Node) => {
      const expression = node.getText(source);
      if (REVIEWED.has(`${file}: ${expression}`)) {
        reviewedSeen.add(`${file}: ${expression}`);
        return;
      }
      if (reported.has(node.getStart(source))) return;
      reported.add(node.getStart(source));
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      findings.push({ file, line: line + 1, expression });
    };
    /** Checks one expression that becomes SQL text. */
    const checkSqlText = (node: ts.Expression) => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return;
      if (ts.isParenthesizedExpression(node)) return checkSqlText(node.expression);
      if (ts.isTemplateExpression(node)) {
        let before = node.head.text;
        for (const span of node.templateSpans) {
          const type = checker.getTypeAtLocation(span.expression);
          const placeholder = before.endsWith('$') && isNumber(type);
          if (!placeholder) checkSqlText(span.expression);
          before = span.literal.text;
        }
        return;
      }
      if (ts.isConditionalExpression(node)) {
        checkSqlText(node.whenTrue);
        checkSqlText(node.whenFalse);
        return;
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        checkSqlText(node.left);
        checkSqlText(node.right);
        return;
      }
      if (isLiteralString(checker.getTypeAtLocation(node))) return;
      if (isFragmentOfLiterals(node)) return;
      report(node);
    };
    /**
     * True for a call of a local SQL-fragment builder on literal arguments: a const arrow function
     * whose body is a template interpolating only its parameters (and literal-typed pieces).
     */
    const isFragmentOfLiterals = (node: ts.Expression): boolean => {
      if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression)) return false;
      const declaration = checker.getSymbolAtLocation(node.expression)?.valueDeclaration;
      if (!declaration || !ts.isVariableDeclaration(declaration)) return false;
      const builder = declaration.initializer;
      if (!builder || !ts.isArrowFunction(builder) || !ts.isTemplateExpression(builder.body))
        return false;
      const parameters = builder.parameters.map((parameter) => parameter.name.getText());
      const spansSafe = builder.body.templateSpans.every(
        (span) =>
          (ts.isIdentifier(span.expression) && parameters.includes(span.expression.text)) ||
          isLiteralString(checker.getTypeAtLocation(span.expression)),
      );
      return (
        spansSafe &&
        node.arguments.every((argument) => isLiteralString(checker.getTypeAtLocation(argument)))
      );
    };
    /** A `.query(text)` or `.exec(text)` call with a string first argument, not on a RegExp. */
    const sqlArgument = (node: ts.Node): ts.Expression | undefined => {
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
      const [first] = node.arguments;
      if (!first || !['query', 'exec'].includes(node.expression.name.text)) return;
      const receiver = checker.getTypeAtLocation(node.expression.expression);
      if (receiver.getSymbol()?.getName() === 'RegExp') return;
      const type = checker.getTypeAtLocation(first);
      return (type.flags & ts.TypeFlags.StringLike) !== 0 || isLiteralString(type)
        ? first
        : undefined;
    };
    const visit = (node: ts.Node) => {
      const argument = sqlArgument(node);
      if (argument) checkSqlText(argument);
      else if (ts.isTemplateExpression(node) && SQL_START.test(node.head.text)) checkSqlText(node);
      else if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.PlusToken &&
        [node.left, node.right].some(
          (side) =>
            (ts.isStringLiteral(side) || ts.isNoSubstitutionTemplateLiteral(side)) &&
            SQL_START.test(side.text),
        )
      )
        checkSqlText(node);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { findings, reviewedSeen };
}

function programOf(files: string[]): ts.Program {
  return ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
}

function backendFiles(): string[] {
  return ts.sys
    .readDirectory(path.join(ROOT, 'src/backend'), ['.ts'])
    .filter((file) => !file.endsWith('.d.ts'));
}

describe('parameterised SQL', () => {
  it('builds no SQL in src/backend from values by interpolation or concatenation', () => {
    const files = backendFiles();
    expect(files.length).toBeGreaterThan(10);
    const program = programOf(files);
    const { findings, reviewedSeen } = findUnparameterisedSql(
      program,
      path.join(ROOT, 'src/backend'),
    );
    expect(findings).toEqual([]);
    // Every reviewed exception is still where it was reviewed: the scan reached it.
    expect([...reviewedSeen].sort()).toEqual([...REVIEWED].sort());
  });

  it('finds SQL built from values, and accepts placeholders and literal-typed pieces', () => {
    const fixture = path.join(ROOT, 'test/security/fixtures/sql-fixture.ts');
    const program = programOf([fixture]);
    const { findings } = findUnparameterisedSql(program, path.join(ROOT, 'test/security/fixtures'));
    expect(findings.map((finding) => finding.expression).sort()).toEqual(
      ['email', 'id', 'limit', 'lower(column)', 'name', 'orderBy', 'statement', 'text'].sort(),
    );
  });
});
