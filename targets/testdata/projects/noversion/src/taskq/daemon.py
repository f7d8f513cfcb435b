import argparse
import http.server


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"taskq is running\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(argv=None):
    # Serves until killed, whatever the arguments: a smoke test must not run it.
    parser = argparse.ArgumentParser(prog="taskq-daemon", description="Serve the task queue.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free one)")
    args, _ = parser.parse_known_args(argv)
    server = http.server.HTTPServer(("127.0.0.1", args.port), Handler)
    print(f"taskq-daemon listening on 127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
