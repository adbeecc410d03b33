import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';

/**
 * GraphiQL at GET /graphql for browsers, offline: its assets come from the installed `graphiql`,
 * `react` and `react-dom` packages (their UMD builds) and are served by the API under
 * /graphql/assets/, never from a CDN. An "API key" field above the editor sends
 * `Authorization: Bearer <key>` with every operation (the key stays in the tab's sessionStorage).
 */
const ASSETS_PATH = '/graphql/assets';
const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const ASSET_FILES: Record<string, string> = {
  'graphiql.min.css': path.join(packageDir('graphiql'), 'graphiql.min.css'),
  'graphiql.min.js': path.join(packageDir('graphiql'), 'graphiql.min.js'),
  'react.production.min.js': path.join(packageDir('react'), 'umd/react.production.min.js'),
  'react-dom.production.min.js': path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
};

// Plain script, no inline code: a strict Content-Security-Policy (script-src 'self') holds.
const EXPLORER_JS = `'use strict';
const keyInput = document.getElementById('api-key');
keyInput.value = sessionStorage.getItem('pasid-api-key') || '';
keyInput.addEventListener('input', () => sessionStorage.setItem('pasid-api-key', keyInput.value.trim()));
const http = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).href });
const fetcher = (params, options) => {
  const key = keyInput.value.trim();
  const headers = Object.assign({}, options && options.headers, key ? { authorization: 'Bearer ' + key } : {});
  return http(params, Object.assign({}, options, { headers }));
};
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: '# The systems in the ledger. Writes need an API key (field above).\\n{\\n  systems {\\n    name\\n    policy\\n    version\\n  }\\n}\\n',
  }),
);
`;

const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PASID Ledger API explorer</title>
<link rel="stylesheet" href="${ASSETS_PATH}/graphiql.min.css">
<link rel="stylesheet" href="${ASSETS_PATH}/explorer.css">
</head>
<body>
<form id="key-bar" onsubmit="return false">
<label for="api-key">API key</label>
<input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" placeholder="sent as Authorization: Bearer …">
<span>needed for writes, and for reads when READS_REQUIRE_KEY=true</span>
</form>
<div id="graphiql">Loading the explorer…</div>
<script src="${ASSETS_PATH}/react.production.min.js"></script>
<script src="${ASSETS_PATH}/react-dom.production.min.js"></script>
<script src="${ASSETS_PATH}/graphiql.min.js"></script>
<script src="${ASSETS_PATH}/explorer.js"></script>
</body>
</html>
`;

const EXPLORER_CSS = `body { margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
#key-bar { display: flex; gap: 0.5rem; align-items: center; padding: 0.4rem 0.75rem; border-bottom: 1px solid #ddd; font-size: 0.9rem; }
#key-bar input { width: 24rem; font-family: monospace; }
#key-bar span { color: #666; }
#graphiql { flex: 1; min-height: 0; }
`;

/** The explorer's page and assets; the page only for a browser's plain GET /graphql. */
export function explorerRoutes(): Router {
  const router = express.Router();
  const day = 24 * 60 * 60;
  for (const [name, file] of Object.entries(ASSET_FILES)) {
    router.get(`${ASSETS_PATH}/${name}`, (_req, res) => {
      res.set('cache-control', `public, max-age=${day}`).sendFile(file);
    });
  }
  router.get(`${ASSETS_PATH}/explorer.js`, (_req, res) => {
    res.type('text/javascript').set('cache-control', 'no-cache').send(EXPLORER_JS);
  });
  router.get(`${ASSETS_PATH}/explorer.css`, (_req, res) => {
    res.type('text/css').set('cache-control', 'no-cache').send(EXPLORER_CSS);
  });
  router.get('/graphql', (req, res, next) => {
    // A GET with an operation, or from a client that wants JSON, is a GraphQL request.
    if (req.query.query !== undefined || req.accepts(['application/json', 'text/html']) !== 'text/html') {
      next();
      return;
    }
    res
      .type('html')
      .set({
        'cache-control': 'no-cache',
        'content-security-policy':
          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:",
      })
      .send(EXPLORER_HTML);
  });
  return router;
}
