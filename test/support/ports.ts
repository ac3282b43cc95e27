import { createServer } from "node:net";

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago. The port is released before
 * the caller binds it, so another process can take it in between. A test server that fails
 * to bind should retry with a new port.
 */
export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("Listening on 127.0.0.1:0 returned no TCP port"));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}
