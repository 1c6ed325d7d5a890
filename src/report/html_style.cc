#include "report/html_style.h"

namespace uncut {

const char kReportCss[] = R"css(
:root{--ink:#111827;--muted:#4b5563;--line:#e5e7eb;--seg:#15803d}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
  color:var(--ink);background:#f8fafc}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.45rem;margin:.3rem 0}
h2{font-size:1.15rem;margin:0 0 .6rem}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
.kicker{color:var(--muted);font-size:.9rem;margin:0}
.pill{display:inline-block;padding:.1rem .6rem;border-radius:999px;font-weight:600;font-size:.85rem;
  vertical-align:middle}
.pill.found,.pill.verbatim{background:#dcfce7;color:#14532d}
.pill.partly_found,.pill.verbatim_with_omissions{background:#fef3c7;color:#78350f}
.pill.not_found,.pill.altered{background:#fee2e2;color:#7f1d1d}
.pill.not_compared{background:#e2e8f0;color:#1e293b}
.summary{font-size:1.12rem;background:#fff;border:1px solid var(--line);border-left:5px solid #15803d;
  border-radius:6px;padding:.7rem 1rem;margin:1rem 0}
.summary.not_found{border-left-color:#b91c1c}.summary.partly_found{border-left-color:#d97706}
.summary.not_compared{border-left-color:#64748b}
.summary p{margin:.3rem 0}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em;background:#f1f5f9;
  padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1rem 0}
.meta{color:var(--muted);font-size:.92rem;margin:.2rem 0 .6rem;overflow-wrap:anywhere}
svg.timeline{width:100%;height:auto;display:block;margin:.4rem 0;overflow:visible}
.tl-track{fill:#f1f5f9;stroke:#94a3b8;stroke-width:1}
.tl-label{font-size:13px;fill:#374151;font-family:system-ui,sans-serif}
.tl-seg-label{font-weight:700}
.tl-cut-label{fill:#92400e}
.tl-zoom{stroke:#94a3b8;stroke-dasharray:4 3;fill:none}
.legend{font-size:.85rem;color:var(--muted);margin:.2rem 0 .8rem}
.legend span{margin-right:1rem;white-space:nowrap}
.sw{display:inline-block;width:1.1em;height:.75em;border-radius:2px;margin-right:.3em;
  vertical-align:middle;border:1px solid #94a3b8}
.sw.seg{background:var(--seg)}.sw.ctx{background:#cbd5e1}.sw.gap{background:#dc2626}
.sw.unknown{background:repeating-linear-gradient(45deg,#94a3b8 0 3px,#e2e8f0 3px 6px)}
.sw.cut{background:repeating-linear-gradient(45deg,#d97706 0 3px,#fde68a 3px 7px)}
.passage{font-family:Georgia,"Noto Serif","DejaVu Serif",serif;font-size:1.05rem;line-height:1.85;
  background:#fff;padding:.9rem 1rem;border:1px solid var(--line);border-radius:6px;
  overflow-wrap:anywhere}
.passage .ctx{color:#6b7280}
.passage mark{background:#bbf7d0;color:inherit;padding:.08em 0}
.passage del{text-decoration:line-through}
.passage del.omit{background:#fef3c7;color:#92400e}
.passage del.chg{background:#fee2e2;color:#991b1b}
.passage ins{background:#dbeafe;color:#1e3a8a;text-decoration:underline}
.passage .cut{display:block;margin:.6rem 0;padding:.45rem .7rem;border-left:4px solid #d97706;
  background:#fffbeb;color:#78350f;font-size:.95rem}
.passage .cut b{font-family:system-ui,sans-serif;font-size:.85rem}
.lbl{font:700 .7rem/1 system-ui,sans-serif;background:var(--seg);color:#fff;border-radius:3px;
  padding:.15em .35em;margin-right:.25em;vertical-align:.3em}
.key{font-size:.85rem;color:var(--muted)}
.key mark{background:#bbf7d0}.key del.omit{background:#fef3c7}.key del.chg{background:#fee2e2}
.key ins{background:#dbeafe}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600}
td.text{min-width:14rem}
dl.evidence{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.evidence dt{font-weight:600;color:var(--muted)}
dl.evidence dd{margin:0;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#0f172a;color:#e2e8f0;padding:.7rem;
  border-radius:6px;font-size:.85rem}
.frames{display:grid;grid-template-columns:1fr 1fr;gap:.6rem;margin:.5rem 0 1rem}
figure{margin:0}
figure img{width:100%;height:auto;border:1px solid var(--line);border-radius:4px;display:block}
figcaption{font-size:.85rem;color:var(--muted)}
.warnings{background:#fffbeb;border:1px solid #fde68a;border-radius:6px;padding:.5rem 1rem}
footer{color:var(--muted);font-size:.8rem;margin:2rem 0 1rem}
@media (max-width:40rem){
  body{font-size:15px}
  main{padding:.6rem}
  .card{padding:.7rem}
  dl.evidence{grid-template-columns:1fr}
  dl.evidence dd{margin-bottom:.4rem}
  svg.timeline{margin:1.1rem 0}
  .tl-label{font-size:30px}
}
@media print{
  @page{margin:1.5cm}
  body{background:#fff;font-size:10.5pt}
  main{max-width:none;padding:0}
  .card,.summary{border:1px solid #999;break-inside:avoid-page}
  pre{background:#fff;color:#000;border:1px solid #999}
  a{color:#000}
  a.external::after{content:" (" attr(href) ")";font-size:.85em}
  h2,h3{break-after:avoid}
  figure,tr{break-inside:avoid}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)css";

}  // namespace uncut
