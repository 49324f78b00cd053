export { collectReport, FULL_GRAPH_LIMIT, type ReportOptions } from './collect.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
export type { ReportData } from './model.js';
