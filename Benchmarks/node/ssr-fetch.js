// The seed article's architecture in raw Node.js, for Benchmarks/ssr-fetch.sh: an API process answering the
// search envelope, and a page process that fetches it over HTTP per request (a keep-alive agent, as a Next.js
// server's fetch would) and renders the same page as Examples/SearchApp. One process each.
//   node Benchmarks/node/ssr-fetch.js api PORT
//   node Benchmarks/node/ssr-fetch.js web PORT API_PORT
'use strict';
const http = require('http');
const { search, page } = require('./search-page.js');

const [mode, portText, apiPortText] = process.argv.slice(2);
const port = Number(portText);

function api() {
  http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname !== '/api/search/') { res.writeHead(404); res.end(); return; }
    const query = (url.searchParams.get('query') || '').trim();
    const max = Number(url.searchParams.get('max_results') || 10);
    const body = JSON.stringify({ status: 'success', data: search(query, max), error: null });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }).listen(port, '127.0.0.1');
}

function web() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const apiPort = Number(apiPortText);
  function fetchSearch(query) {
    return new Promise((resolve, reject) => {
      const path = `/api/search/?query=${encodeURIComponent(query)}&max_results=20`;
      http.get({ host: '127.0.0.1', port: apiPort, path, agent, headers: { accept: 'application/json' } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (envelope.status !== 'success') reject(new Error(envelope.error && envelope.error.code));
            else resolve(envelope.data);
          } catch (error) { reject(error); }
        });
      }).on('error', reject);
    });
  }
  http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname !== '/search/') { res.writeHead(404); res.end(); return; }
    try {
      const html = page(await fetchSearch(url.searchParams.get('query') || ''));
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
      res.end(html);
    } catch (error) {
      res.writeHead(502); res.end('Bad Gateway');
    }
  }).listen(port, '127.0.0.1');
}

if (mode === 'api') api(); else web();
