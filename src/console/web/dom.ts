/**
 * The console's one way to put anything on the page: elements built with the DOM API and text set as text.
 * Nothing here parses HTML (no innerHTML, no insertAdjacentHTML), so a `<script>` or `<img onerror>` inside a
 * definition or an event payload is shown as the characters it is. Event handlers are functions, never
 * strings, and `style` attributes are not set (the Content-Security-Policy forbids inline styles).
 */

export type Child = Node | string | number | null | undefined | false;

type Handler = (event: Event) => void;
export type Attributes = Record<string, string | number | boolean | Handler | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(
  tag: string,
  attributes: Record<string, string | number> = {},
  ...children: Child[]
): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

/** Replaces an element's content. */
export function fill(element: Element, ...children: Child[]): void {
  element.replaceChildren();
  append(element, children);
}

function append(element: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
}

function setAttributes(element: HTMLElement, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      if (!name.startsWith('on')) throw new Error(`a function can only be an event handler, not "${name}"`);
      element.addEventListener(name.slice(2), value);
    } else if (name === 'style' || name.startsWith('on')) {
      throw new Error(`"${name}" is not set as an attribute (Content-Security-Policy)`);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
}
