"""python3-grpcio implementation of colabo.rpc.test.TestService (same behaviour as the .NET EchoService).

Usage: /usr/bin/python3 server.py [--tls-dir DIR]   prints "LISTENING <port>" when ready.
"""
import sys
import threading
from concurrent import futures

import grpc

from testproto import SERVICE, EchoReply, EchoRequest, parse_args, read


def _metadata(context):
    return {k: v for k, v in context.invocation_metadata()}


def _reply(request, context, index):
    if request.fail_with_code:
        context.set_trailing_metadata((("x-failure-reason", "requested"),))
        context.abort(grpc.StatusCode(_code(request.fail_with_code)), request.fail_with_message)
    if request.hang:
        done = threading.Event()
        context.add_callback(done.set)
        done.wait()
        context.abort(grpc.StatusCode.CANCELLED, "cancelled")
    md = _metadata(context)
    payload = bytes(request.response_size) if request.response_size > 0 else request.payload
    return EchoReply(text=request.text, payload=payload, index=index,
                     seen_header=md.get("x-echo", ""), seen_binary_header=md.get("x-echo-bin", b""))


def _code(number):
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code.value
    return grpc.StatusCode.UNKNOWN.value


def unary(request, context):
    return _reply(request, context, 0)


def server_stream(request, context):
    for i in range(max(1, request.count)):
        yield _reply(request, context, i)


def client_stream(request_iterator, context):
    texts = []
    for request in request_iterator:
        if request.fail_with_code:
            return _reply(request, context, 0)
        texts.append(request.text)
    return EchoReply(text=",".join(texts), index=len(texts))


def duplex(request_iterator, context):
    for i, request in enumerate(request_iterator):
        yield _reply(request, context, i)


def main():
    opts = parse_args(sys.argv[1:])
    des, ser = EchoRequest.FromString, EchoReply.SerializeToString
    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary, des, ser),
        "IdempotentUnary": grpc.unary_unary_rpc_method_handler(unary, des, ser),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream, des, ser),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream, des, ser),
        "Duplex": grpc.stream_stream_rpc_method_handler(duplex, des, ser),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    if "tls-dir" in opts:
        d = opts["tls-dir"]
        credentials = grpc.ssl_server_credentials(
            [(read(d, "server.key"), read(d, "server.crt"))], root_certificates=read(d, "ca.crt"), require_client_auth=True)
        port = server.add_secure_port("127.0.0.1:0", credentials)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"LISTENING {port}", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
