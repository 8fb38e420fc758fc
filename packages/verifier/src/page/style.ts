/** Inline stylesheet of the verification page (no external fonts or resources). */
export const PAGE_STYLE = `
:root{--supported:#1b7f3b;--unsupported:#b7791f;--contradicted:#c53030;--opinion:#5a67d8;color-scheme:light}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a202c;background:#f7f7f9}
header{padding:16px 24px;background:#fff;border-bottom:1px solid #e2e8f0}h1{margin:0 0 6px;font-size:20px}
main{padding:16px 24px;display:grid;gap:16px}main.layout-group{grid-template-columns:repeat(var(--columns),minmax(320px,1fr));overflow-x:auto}
.entry{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:16px}.entry h2{margin:0 0 8px;font-size:16px}
.layout-list .body{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}.layout-group .body{display:block}
.reasoning{white-space:pre-wrap;background:#fbfbfd;border:1px solid #edf2f7;border-radius:6px;padding:12px;font-size:13.5px}
mark{border-radius:3px;padding:0 1px}mark.mark-supported{background:#c6f6d5}mark.mark-unsupported{background:#fefcbf}
mark.mark-contradicted{background:#fed7d7;text-decoration:underline wavy var(--contradicted)}mark.mark-opinion{background:#e9ebfb}
.scores{display:grid;grid-template-columns:repeat(4,1fr);gap:8px;margin:8px 0}.score{display:flex;flex-direction:column;font-size:12px}
.score-name{color:#4a5568}.score-value{font-weight:600;font-size:15px}.bar{height:8px;background:#edf2f7;border-radius:4px;overflow:hidden}
.bar span{display:block;height:100%;background:#3182ce}.score[data-score="s"] .bar span{background:#2c5282}
.meta{color:#4a5568;margin:4px 0 12px}.chip{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px}
.flag{background:#fed7d7;color:#822727}.reason{background:#e2e8f0;color:#2d3748}.rl{font-weight:600;margin-bottom:4px}
.pos{color:var(--supported)}.neg{color:var(--contradicted)}
.claims{margin:0;padding-left:20px}.claim{margin-bottom:10px;border-left:4px solid #cbd5e0;padding-left:8px}
.claim.mark-supported{border-color:var(--supported)}.claim.mark-unsupported{border-color:var(--unsupported)}
.claim.mark-contradicted{border-color:var(--contradicted)}.claim.mark-opinion{border-color:var(--opinion)}
.badge{display:inline-block;padding:0 6px;border-radius:4px;color:#fff;font-size:11px;text-transform:uppercase;letter-spacing:.03em}
.badge-supported{background:var(--supported)}.badge-unsupported{background:var(--unsupported)}
.badge-contradicted{background:var(--contradicted)}.badge-opinion{background:var(--opinion)}
.claim-id,.support,.note{color:#718096;font-size:12px}.claim-text{margin:2px 0}
.checks,.citations{margin:2px 0;padding-left:16px;font-size:12.5px}.check-matched{color:var(--supported)}.check-conflict{color:var(--contradicted)}
.citation{color:#4a5568}.doc{font-family:ui-monospace,monospace}
`;
