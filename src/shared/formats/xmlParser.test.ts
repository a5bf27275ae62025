import { describe, expect, it } from 'vitest';
import { parseXml, XmlParseError } from './xmlParser';

describe('parseXml', () => {
  it('reads elements, both quote styles, self-closing tags, text, comments and CDATA', () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="utf-8"?>\n<!-- c --><a x="1" y='two'>\n  <b/><c>t&amp;&lt;&#65;&#x42;</c><d><![CDATA[<raw>&]]></d></a>\n`,
    );
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1', y: 'two' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c', 'd']);
    expect(root.children[1]?.text).toBe('t&<AB');
    expect(root.children[2]?.text).toBe('<raw>&');
  });

  it('decodes entities in attribute values', () => {
    expect(parseXml('<a v="&quot;x&apos; &gt; &amp;"/>').attributes.v).toBe(`"x' > &`);
  });

  it('reports malformed documents with their position', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlParseError);
    expect(() => parseXml('<a>')).toThrow(/not closed/);
    expect(() => parseXml('<a/><b/>')).toThrow(/More than one root/);
    expect(() => parseXml('<a>x & y</a>')).toThrow(/bare "&"/);
    expect(() => parseXml('<a v="1" v="2"/>')).toThrow(/repeated/);
    expect(() => parseXml('<!DOCTYPE a><a/>')).toThrow(/DOCTYPE/);
    expect(() => parseXml('')).toThrow(/No root/);
  });
});
