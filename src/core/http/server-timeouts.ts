/**
 * The request timeout of a server we run (the API, a push channel's standalone API), as Fastify
 * options. Node takes the request timeout when the server is created (Fastify sets it afterwards,
 * too late for a body still arriving) and looks for requests past it only every 30 s by default: a
 * dripped body got its 408 after 84 s where 30 s were documented (issue 19).
 */
export function requestTimeoutOptions(requestTimeoutMs: number): {
  requestTimeout: number;
  http: { requestTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    requestTimeout: requestTimeoutMs,
    http: { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs) },
  };
}
