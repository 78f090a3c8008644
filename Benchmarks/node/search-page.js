// The example's search results page from a plain Node.js `http` server with template strings: the floor any
// Next.js page costs. Same catalogue, search, markup and escaping as Examples/SearchApp (byte-identical HTML).
//   node Benchmarks/node/search-page.js PORT [WORKERS]
'use strict';
const http = require('http');
const cluster = require('cluster');

const port = Number(process.argv[2] || 18092);
const workers = Number(process.argv[3] || 1);

const TOPICS = ['swift', 'server', 'rendering', 'proxy', 'cookie', 'session', 'router', 'gateway', 'envelope', 'schema',
  'nginx', 'kubernetes', 'docker', 'search', 'cache', 'stream', 'websocket', 'token', 'header', 'latency'];
const ENTRIES = [];
for (let i = 1; i <= 300; i++) {
  const topic = TOPICS[i % TOPICS.length];
  const other = TOPICS[(i * 7 + 3) % TOPICS.length];
  ENTRIES.push({ id: i, title: `${topic[0].toUpperCase()}${topic.slice(1)} guide #${i}`, url: `https://example.com/docs/${i}`,
    summary: `How to use ${topic} with ${other} in production.` });
}
const HAYSTACKS = ENTRIES.map((e) => `${e.title} ${e.summary}`.toLowerCase());

function search(query, limit) {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  const results = [];
  let total = 0;
  for (let i = 0; i < ENTRIES.length; i++) {
    if (words.every((w) => HAYSTACKS[i].includes(w))) {
      total++;
      if (results.length < limit) results.push(ENTRIES[i]);
    }
  }
  return { query, total, results };
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
const encode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function page(r) {
  const q = esc(r.query);
  const description = `${r.total} result${r.total === 1 ? '' : 's'} for ${q}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${q} · Tandem Search</title><meta name="description" content="${description}"><link rel="canonical" href="${esc('/search/?query=' + encode(r.query))}"><meta property="og:title" content="${q} · Tandem Search"><meta property="og:description" content="${description}"><meta property="og:type" content="website"><link rel="stylesheet" href="/search/static/site.css"></head><body><header class="site"><a class="brand" href="/search/">Tandem Search</a><nav><a href="/search/">Search</a> <a href="/search/login/">Sign in</a></nav></header><main><form class="search" method="get" action="/search/" role="search"><input type="search" name="query" value="${q}" placeholder="Search the catalogue" aria-label="Query"><button type="submit">Search</button></form><h1>Results for ${q}</h1><p class="total">${r.total} result${r.total === 1 ? '' : 's'}</p><ol class="results">${r.results.map((e) =>
    `<li id="result-${e.id}"><a href="${esc(e.url)}">${esc(e.title)}</a><div class="url">${esc(e.url)}</div><p>${esc(e.summary)}</p></li>`).join('')}</ol></main><footer class="site">Rendered by Tandem · pages on the web server, data from the API</footer></body></html>
`;
}

function serve() {
  http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname !== '/search/') { res.writeHead(404); res.end(); return; }
    const html = page(search(url.searchParams.get('query') || '', 20));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
    res.end(html);
  }).listen(port, '127.0.0.1');
}

module.exports = { search, page };

if (require.main === module) {
  if (workers > 1 && cluster.isPrimary) {
    for (let i = 0; i < workers; i++) cluster.fork();
  } else {
    serve();
  }
}
