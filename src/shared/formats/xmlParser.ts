/**
 * A minimal XML parser for the subset CVAT writes: a declaration, comments, elements with quoted
 * attributes, text, CDATA, and the five predefined entities plus numeric character references.
 * No DTDs, namespaces or processing instructions beyond the declaration. `src/shared` has no
 * DOMParser and the project has no XML dependency of its own, hence this file.
 */

export type XmlElement = {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  text: string;
};

export class XmlParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at character ${offset})`);
    this.name = 'XmlParseError';
  }
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTRIBUTE = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9A-Fa-f]+));/g;
const BARE_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);)/;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string, offset = 0): string {
  if (!text.includes('&')) return text;
  const bare = BARE_AMPERSAND.exec(text);
  if (bare) throw new XmlParseError('Unknown entity or bare "&"', offset + bare.index);
  return text.replace(ENTITY, (_, named?: string, dec?: string, hex?: string) => {
    if (named !== undefined) return NAMED[named] as string;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16);
    if (code > 0x10ffff) throw new XmlParseError('Character reference out of range', offset);
    return String.fromCodePoint(code);
  });
}

/** Parses a document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const skipMisc = (): boolean => {
    if (xml.startsWith('<?', pos)) {
      const end = xml.indexOf('?>', pos);
      if (end < 0) throw new XmlParseError('Unclosed declaration', pos);
      pos = end + 2;
      return true;
    }
    if (xml.startsWith('<!--', pos)) {
      const end = xml.indexOf('-->', pos + 4);
      if (end < 0) throw new XmlParseError('Unclosed comment', pos);
      pos = end + 3;
      return true;
    }
    if (xml.startsWith('<!DOCTYPE', pos)) throw new XmlParseError('DOCTYPE is not supported', pos);
    return false;
  };

  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > pos) {
      const raw = xml.slice(pos, textEnd);
      const current = stack[stack.length - 1];
      if (current) current.text += decodeEntities(raw, pos);
      else if (raw.trim() !== '') throw new XmlParseError('Text outside the root element', pos);
      pos = textEnd;
      continue;
    }
    if (skipMisc()) continue;
    if (xml.startsWith('<![CDATA[', pos)) {
      const end = xml.indexOf(']]>', pos);
      const current = stack[stack.length - 1];
      if (end < 0 || !current) throw new XmlParseError('Misplaced or unclosed CDATA', pos);
      current.text += xml.slice(pos + 9, end);
      pos = end + 3;
      continue;
    }
    if (xml.startsWith('</', pos)) {
      NAME.lastIndex = pos + 2;
      const match = NAME.exec(xml);
      const open = stack.pop();
      if (!match || !open || open.name !== match[0]) {
        throw new XmlParseError(`Unexpected closing tag${match ? ` </${match[0]}>` : ''}`, pos);
      }
      pos = NAME.lastIndex;
      while (/\s/.test(xml[pos] ?? '')) pos++;
      if (xml[pos] !== '>') throw new XmlParseError('Malformed closing tag', pos);
      pos += 1;
      continue;
    }
    NAME.lastIndex = pos + 1;
    const match = NAME.exec(xml);
    if (!match) throw new XmlParseError('Malformed tag', pos);
    const start = pos;
    pos = NAME.lastIndex;
    const attributes: Record<string, string> = {};
    for (;;) {
      ATTRIBUTE.lastIndex = pos;
      const attribute = ATTRIBUTE.exec(xml);
      if (!attribute) break;
      const name = attribute[1] as string;
      if (name in attributes) throw new XmlParseError(`Attribute "${name}" repeated`, pos);
      attributes[name] = decodeEntities(attribute[2] ?? attribute[3] ?? '', pos);
      pos = ATTRIBUTE.lastIndex;
    }
    while (/\s/.test(xml[pos] ?? '')) pos++;
    const selfClosing = xml.startsWith('/>', pos);
    if (!selfClosing && xml[pos] !== '>') throw new XmlParseError(`Malformed <${match[0]}>`, start);
    pos += selfClosing ? 2 : 1;
    const element: XmlElement = { name: match[0], attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) throw new XmlParseError('More than one root element', start);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) throw new XmlParseError(`<${unclosed.name}> is not closed`, xml.length);
  if (!root) throw new XmlParseError('No root element', 0);
  return root;
}

/** The first child element named `name`. */
export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}
