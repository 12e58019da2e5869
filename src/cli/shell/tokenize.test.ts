import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ParseResult, type SimpleCommand, parse, wordText } from './tokenize.js';

function ok(src: string): SimpleCommand[] {
  const r = parse(src);
  assert.equal(r.kind, 'ok', `parse(${JSON.stringify(src)}) -> ${JSON.stringify(r)}`);
  return (r as Extract<ParseResult, { kind: 'ok' }>).commands;
}

/** Each command's words as literal text (variables shown as $NAME). */
function words(src: string): string[][] {
  return ok(src).map((c) => c.words.map(wordText));
}

describe('tokenize', () => {
  it('splits words on blanks and commands on ; and newlines', () => {
    assert.deepEqual(words('mkdir  a\tb'), [['mkdir', 'a', 'b']]);
    assert.deepEqual(words('mkdir a; rmdir a\ncat x'), [['mkdir', 'a'], ['rmdir', 'a'], ['cat', 'x']]);
    assert.deepEqual(words('echo a;'), [['echo', 'a']]);
    assert.deepEqual(words('   '), []);
  });

  it('quotes like sh', () => {
    assert.deepEqual(words(`echo 'a b' "c  d" e\\ f`), [['echo', 'a b', 'c  d', 'e f']]);
    assert.deepEqual(words(`echo 'it'\\''s'`), [['echo', "it's"]]);
    assert.deepEqual(words(`echo "say \\"hi\\" \\\\ \\x"`), [['echo', 'say "hi" \\ \\x']]);
    assert.deepEqual(words(`echo '$?' "a;b" 'c#d' \\; \\#`), [['echo', '$?', 'a;b', 'c#d', ';', '#']]);
    assert.deepEqual(words(`echo '' ""`), [['echo', '', '']]);
    assert.deepEqual(words(`echo a'b'"c"d`), [['echo', 'abcd']]);
  });

  it('treats # as a comment only at the start of a word', () => {
    assert.deepEqual(words('echo a#b # comment ; not a command'), [['echo', 'a#b']]);
    assert.deepEqual(words('# only a comment'), []);
    assert.deepEqual(words('echo x # c\necho y'), [['echo', 'x'], ['echo', 'y']]);
  });

  it('parses > and >> redirections anywhere in a command', () => {
    const [c] = ok('echo +cpu > cgroup.subtree_control');
    assert.deepEqual(c?.words.map(wordText), ['echo', '+cpu']);
    assert.deepEqual(c?.redirects.map((r) => [r.fd, r.append, wordText(r.target)]), [[1, false, 'cgroup.subtree_control']]);
    const [d] = ok('echo>>f a');
    assert.deepEqual(d?.words.map(wordText), ['echo', 'a']);
    assert.deepEqual(d?.redirects.map((r) => [r.fd, r.append, wordText(r.target)]), [[1, true, 'f']]);
  });

  it('reads 1> and 2> as file descriptors, but not "1 >" or a quoted 1', () => {
    const [a] = ok('echo 1>f');
    assert.deepEqual(a?.words.map(wordText), ['echo']);
    assert.equal(a?.redirects[0]?.fd, 1);
    const [b] = ok('cat x 2>/dev/null');
    assert.equal(b?.redirects[0]?.fd, 2);
    const [c] = ok('echo 1 >f');
    assert.deepEqual(c?.words.map(wordText), ['echo', '1']);
    const [d] = ok(`echo '1'>f`);
    assert.deepEqual(d?.words.map(wordText), ['echo', '1']);
    const [e] = ok('echo 12>f');
    assert.deepEqual(e?.words.map(wordText), ['echo', '12']);
  });

  it('records variables, unexpanded, outside single quotes', () => {
    const [c] = ok(`kill $! "\${P}x" '$?' $? a$NAME_1.b $ $/`);
    assert.deepEqual(c?.words.map(wordText), ['kill', '$!', '$Px', '$?', '$?', 'a$NAME_1.b', '$', '$/']);
    assert.deepEqual(c?.words[2]?.parts.map((p) => p.kind), ['var', 'lit']);
    assert.deepEqual(c?.words[3]?.parts.map((p) => p.kind), ['lit']);
  });

  it('expands a leading ~ only', () => {
    const [c] = ok(`cd ~ ~/a a~ '~' ~x`);
    assert.deepEqual(c?.words.map((w) => w.parts[0]?.kind), ['lit', 'home', 'home', 'lit', 'lit', 'lit']);
  });

  it('asks for more input inside quotes and after a trailing backslash', () => {
    for (const s of [`echo 'abc`, `echo "abc`, 'echo abc \\', `echo "a\\`]) assert.equal(parse(s).kind, 'incomplete', s);
    assert.deepEqual(words(`echo 'a\nb'`), [['echo', 'a\nb']]);
    assert.deepEqual(words('echo a \\\nb'), [['echo', 'a', 'b']]);
    assert.deepEqual(words('echo "a\\\nb"'), [['echo', 'ab']]);
  });

  it('rejects what it does not support with sh-like syntax errors', () => {
    const err = (s: string): string => {
      const r = parse(s);
      assert.equal(r.kind, 'error', s);
      return (r as Extract<ParseResult, { kind: 'error' }>).message;
    };
    assert.equal(err('cat a | grep b'), "syntax error near unexpected token `|'");
    assert.equal(err('echo a >'), "syntax error near unexpected token `newline'");
    assert.equal(err('echo a > ;'), "syntax error near unexpected token `;'");
    assert.equal(err('; echo'), "syntax error near unexpected token `;'");
    assert.equal(err('sleep 1 &'), "syntax error near unexpected token `&'");
    assert.match(err('echo $(ls)'), /command substitution/);
    assert.match(err('echo "`ls`"'), /command substitution/);
    assert.match(err('echo ${a b}'), /bad substitution/);
  });

  it('gives back any text quoted the sh way (property)', () => {
    const quoteSh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
      const cmds = words(`echo ${quoteSh(a)} ${quoteSh(b)}`);
      assert.deepEqual(cmds, [['echo', a, b]]);
    }));
  });

  it('gives back any text backslash-escaped (property)', () => {
    const escape = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, (c) => (c === '\n' ? `'\n'` : `\\${c}`));
    fc.assert(fc.property(fc.string({ minLength: 1 }), (a) => {
      assert.deepEqual(words(`echo ${escape(a)}`), [['echo', a]]);
    }));
  });
});
