import { escapeHtml } from '../escape.js';
import { plain } from './safe.js';

/**
 * A tagged template that escapes every interpolated value unless it is itself markup made by
 * this template. Escaping is the default, so forgetting it is not possible: a log value can only
 * reach the page as text. Values also go through `plain` (control and invisible characters
 * made visible), so the HTML shows what the terminal shows.
 */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Markup | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(plain(String(value)));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Markup(out);
}

/** Our own constant markup (stylesheet, fixed SVG paths). Never call it with report data. */
export function trusted(text: string): Markup {
  return new Markup(text);
}

/** Several values as lines of one text (an SVG <title> tooltip); each value stays one line. */
export function lines(...values: (string | null | undefined)[]): Markup {
  return new Markup(
    values
      .filter((v) => v !== null && v !== undefined && v !== '')
      .map((v) => render(v))
      .join('\n'),
  );
}
