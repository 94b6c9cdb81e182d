import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FastifyInstance } from 'fastify';
import getAbsoluteFSPath from 'swagger-ui-dist/absolute-path.js';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

function page(documentUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Tributary gateway API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: ${JSON.stringify(documentUrl)}, dom_id: '#swagger-ui', deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
  </script>
</body>
</html>`;
}

/**
 * `/docs` (Swagger UI) and `/docs/json` (the OpenAPI document), served from the swagger-ui-dist
 * package with three plain routes: @fastify/static would need Node 22.
 */
export function registerApiDocs(fastify: FastifyInstance, document: object): void {
  const root = getAbsoluteFSPath();
  const cache = new Map<string, Buffer>();
  const json = JSON.stringify(document);
  fastify.get('/docs/json', (_request, reply) => reply.type('application/json; charset=utf-8').send(json));
  fastify.get('/docs', (_request, reply) => reply.type('text/html; charset=utf-8').send(page('/docs/json')));
  fastify.get<{ Params: { file: string } }>('/docs/assets/:file', (request, reply) => {
    const { file } = request.params;
    const type = ASSETS[file];
    // Only the listed files: the name never reaches the file system otherwise.
    if (type === undefined) return reply.callNotFound();
    let body = cache.get(file);
    if (!body) {
      body = readFileSync(join(root, file));
      cache.set(file, body);
    }
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
