/**
 * The text a kernel write handler sees. Two rules apply to every cgroup
 * file before any parsing: kernfs gives the handler a NUL-terminated copy of
 * the written bytes (so nothing after a NUL is seen), and most handlers then
 * call strstrip(), which removes the C library's white space (space, \t, \n,
 * \v, \f, \r) from both ends. Unicode spaces are not white space to the
 * kernel: U+00A0 arrives as the bytes C2 A0 and makes a number invalid.
 */

/** isspace() of the kernel, on ASCII. */
export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** strstrip(): white space removed from both ends. */
export function strstrip(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && isSpace(text[a])) a++;
  while (b > a && isSpace(text[b - 1])) b--;
  return text.slice(a, b);
}

/** What a handler sees of a write: the text up to the first NUL. */
export function cString(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}
