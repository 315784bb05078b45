"""Message classes for colabo.rpc.test (tests/Rpc.Tests/Protos/test.proto) built at run time.

Debian ships python3-grpcio and python3-protobuf but not grpcio-tools, so the descriptors are declared
here field by field; keep them in step with test.proto.
"""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto

_MESSAGES = {
    "EchoRequest": [
        ("text", 1, _F.TYPE_STRING), ("payload", 2, _F.TYPE_BYTES), ("fail_with_code", 3, _F.TYPE_INT32),
        ("fail_with_message", 4, _F.TYPE_STRING), ("count", 5, _F.TYPE_INT32), ("hang", 6, _F.TYPE_BOOL),
        ("response_size", 7, _F.TYPE_INT32),
    ],
    "EchoReply": [
        ("text", 1, _F.TYPE_STRING), ("payload", 2, _F.TYPE_BYTES), ("index", 3, _F.TYPE_INT32),
        ("seen_header", 4, _F.TYPE_STRING), ("seen_binary_header", 5, _F.TYPE_BYTES),
        ("peer_common_name", 6, _F.TYPE_STRING),
    ],
}


def _build():
    fdp = descriptor_pb2.FileDescriptorProto(name="colabo_rpc_test.proto", package="colabo.rpc.test", syntax="proto3")
    for name, fields in _MESSAGES.items():
        message = fdp.message_type.add(name=name)
        for field_name, number, field_type in fields:
            message.field.add(name=field_name, number=number, type=field_type, label=_F.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    classes = {}
    for name in _MESSAGES:
        descriptor = pool.FindMessageTypeByName("colabo.rpc.test." + name)
        if hasattr(message_factory, "GetMessageClass"):
            classes[name] = message_factory.GetMessageClass(descriptor)
        else:
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(descriptor)
    return classes


_CLASSES = _build()
EchoRequest = _CLASSES["EchoRequest"]
EchoReply = _CLASSES["EchoReply"]
SERVICE = "colabo.rpc.test.TestService"


def read(directory, name):
    with open(f"{directory}/{name}", "rb") as f:
        return f.read()


def parse_args(argv):
    out = {}
    for i in range(0, len(argv) - 1, 2):
        out[argv[i].lstrip("-")] = argv[i + 1]
    return out
