/**
 * The rules of the components the static report and the web workspace share (timeline-svg.ts,
 * decision-tree.ts, action colours): the report inlines them, scripts/build-web.mjs puts them
 * first in the workspace's app.css.
 */
export const COMPONENT_STYLE = `
svg.timeline { display: block; font-size: 12px; }
svg.timeline .label { fill: #333; }
svg.timeline .finding-title { font-weight: 600; font-size: 13px; }
svg.timeline .tick, svg.timeline .axis-label { fill: #555; font-size: 11px; }
svg.timeline .grid { stroke: #e3e3e3; stroke-width: 1; }
svg.timeline .window { fill-opacity: .45; stroke-width: 1; }
svg.timeline .window.open { stroke-dasharray: 4 3; fill-opacity: .25; }
.conn { stroke-width: 1.3; }
.conn.accepted { fill: #111; stroke: #111; }
.conn.rejected { fill: #fff; stroke: #666; }
.conn.mixed { fill: #999; stroke: #333; }
.event { stroke: #6a1b9a; stroke-width: 2; }
.decision-tree { margin: 6px 0 8px; font-size: 12.5px; }
.decision-tree ul { list-style: none; margin: 0; padding-left: 18px; }
.decision-tree ul.tree { padding-left: 0; }
.decision-tree li { position: relative; margin: 2px 0; padding-left: 10px; border-left: 1px solid #ccc; }
.decision-tree ul.tree > li { border-left: none; }
.decision-tree .node-box { display: inline-block; padding: 1px 6px; border: 1px solid #ddd; border-radius: 4px; color: #666; }
.decision-tree li.taken > .node-box { border: 2px solid #1d1d1f; color: #1d1d1f; font-weight: 600; background: #fffbe6; }
.decision-tree li.taken { border-left: 2px solid #1d1d1f; }
.decision-tree .answer { font-size: 11px; text-transform: uppercase; color: #555; margin-right: 4px; }
.decision-tree .node-id { font-size: 11px; color: #777; }
.decision-tree details { display: inline; }
.decision-tree details > summary { cursor: pointer; font-weight: normal; margin: 0; color: #777; }
.decision-tree details > summary .node-box { cursor: pointer; }
.decision-tree .leaf { color: #fff; border-radius: 3px; padding: 0 5px; font-size: 11px; text-transform: uppercase; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.action-isolate { background: #c62828; }
.action-escalate { background: #e65100; }
.action-ticket { background: #1565c0; }
.action-false-positive { background: #2e7d32; }
.verdict { font-weight: 600; text-transform: uppercase; font-size: 12px; }
.verdict.suspicious { color: #c62828; }
.verdict.allowed { color: #2e7d32; }
.verdict.known { color: #1565c0; }
`;

/**
 * The HTML report's stylesheet, inlined (the CSP allows inline styles only). System fonts: the
 * file must not fetch anything. Prints legibly (no dark backgrounds, badges keep their colour).
 */
export const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; background: #fff; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; border-bottom: 1px solid #ddd; }
h1 { font-size: 22px; margin: 0 0 4px; display: flex; align-items: center; gap: 12px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #eee; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
code, .ref, time { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
code { background: #f3f3f5; padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
.ref { color: #555; overflow-wrap: anywhere; }
.meta { color: #555; margin: 4px 0; }
.summary { font-size: 15px; margin: 4px 0; }
.badge { color: #fff; border-radius: 4px; padding: 1px 8px; font-size: 13px; text-transform: uppercase; letter-spacing: .03em; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.badge.none { background: #2e7d32; }
.legend { margin: 4px 0 6px; font-size: 12px; color: #444; }
.legend text { font-size: 12px; fill: #444; }
.scroll { overflow-x: auto; }
.q { margin-bottom: 10px; }
.q dl, dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 6px 0; }
dt { font-weight: 600; color: #444; }
dd { margin: 0; }
.answer { font-size: 15px; font-weight: 600; margin: 4px 0; }
table { border-collapse: collapse; margin: 6px 0; font-size: 12.5px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f6f6f8; }
td { overflow-wrap: break-word; }
td code { overflow-wrap: normal; }
table.evidence td.nw { white-space: nowrap; }
table.evidence { font-size: 12px; width: 100%; }
table.evidence tr.detail td { border-top: none; color: #333; padding-left: 18px; overflow-wrap: anywhere; }
table.evidence tbody.row:nth-child(even) td { background: #fafafa; }
article.finding { border-left: 5px solid #999; padding: 2px 0 8px 14px; margin: 18px 0; }
.path code { background: #eef; }
.verify { background: #fffbe6; border: 1px solid #f0e0a0; padding: 6px 10px; border-radius: 4px; }
details summary { cursor: pointer; font-weight: 600; margin: 6px 0; }
footer { color: #777; font-size: 12px; padding: 20px 24px 30px; }
@media print { .scroll { overflow: visible; } details { display: block; } }
${COMPONENT_STYLE}`;
