"""python3-grpcio client running the interop scenarios; prints one JSON object with the results.

Usage: /usr/bin/python3 client.py --target 127.0.0.1:PORT [--tls-dir DIR]
"""
import json
import sys

import grpc

from testproto import SERVICE, EchoReply, EchoRequest, parse_args, read


def main():
    opts = parse_args(sys.argv[1:])
    target = opts["target"]
    if "tls-dir" in opts:
        d = opts["tls-dir"]
        credentials = grpc.ssl_channel_credentials(read(d, "ca.crt"), read(d, "client.key"), read(d, "client.crt"))
        channel = grpc.secure_channel(target, credentials, options=(("grpc.ssl_target_name_override", "localhost"),))
    else:
        channel = grpc.insecure_channel(target)
    ser, des = EchoRequest.SerializeToString, EchoReply.FromString
    path = f"/{SERVICE}/"
    unary = channel.unary_unary(path + "Unary", ser, des)
    server_stream = channel.unary_stream(path + "ServerStream", ser, des)
    client_stream = channel.stream_unary(path + "ClientStream", ser, des)
    duplex = channel.stream_stream(path + "Duplex", ser, des)
    results = {}

    reply = unary(EchoRequest(text="hello from python"), metadata=(("x-echo", "from-python"), ("x-echo-bin", bytes([0, 1, 2, 255]))), timeout=10)
    results["unary"] = reply.text
    results["seenHeader"] = reply.seen_header
    results["seenBinaryHeader"] = reply.seen_binary_header.hex()
    results["peerCommonName"] = reply.peer_common_name
    results["bigReplyBytes"] = len(unary(EchoRequest(text="big", response_size=1024 * 1024), timeout=10).payload)

    try:
        unary(EchoRequest(fail_with_code=5, fail_with_message="no such node «web-1» 100%"), timeout=10)
        results["errorCode"] = 0
    except grpc.RpcError as e:
        results["errorCode"] = e.code().value[0]
        results["errorMessage"] = e.details()
        results["errorTrailer"] = dict(e.trailing_metadata() or ()).get("x-failure-reason")

    # A status message larger than the server's header-encoding buffer: HEADERS plus CONTINUATION frames.
    try:
        unary(EchoRequest(fail_with_code=9, fail_with_message="drift-" * 500), timeout=10)
        results["longErrorMessage"] = None
    except grpc.RpcError as e:
        results["longErrorMessage"] = e.details()

    try:
        unary(EchoRequest(hang=True), timeout=0.3)
        results["deadlineCode"] = 0
    except grpc.RpcError as e:
        results["deadlineCode"] = e.code().value[0]

    results["serverStream"] = [r.index for r in server_stream(EchoRequest(text="s", count=5), timeout=10)]
    results["clientStream"] = client_stream(iter([EchoRequest(text=t) for t in "abc"]), timeout=10).text
    results["duplex"] = [r.text for r in duplex(iter([EchoRequest(text=t) for t in "xyz"]), timeout=10)]
    try:
        list(duplex(iter([EchoRequest(text="ok"), EchoRequest(fail_with_code=10, fail_with_message="conflict")]), timeout=10))
        results["streamError"] = 0
    except grpc.RpcError as e:
        results["streamError"] = e.code().value[0]

    print(json.dumps(results), flush=True)
    channel.close()


if __name__ == "__main__":
    main()
