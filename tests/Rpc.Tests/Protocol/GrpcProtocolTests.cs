using System.Net;
using Colabo.Config.Rpc.Internal;
using Colabo.Config.Rpc.Server;
using Colabo.Config.Rpc.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Colabo.Config.Rpc.Tests.Protocol;

public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("100%", "100%25")]
    [InlineData("línea\nnext", "l%C3%ADnea%0Anext")]
    public void Grpc_message_is_percent_encoded_utf8_and_decodes_back(string text, string wire)
    {
        Assert.Equal(wire, GrpcProtocol.EncodeMessage(text));
        Assert.Equal(text, GrpcProtocol.DecodeMessage(wire));
    }

    [Fact]
    public void A_malformed_percent_escape_is_kept_as_it_is()
    {
        Assert.Equal("50%zz and %4", GrpcProtocol.DecodeMessage("50%zz and %4"));
    }

    [Theory]
    [InlineData("1H", 3600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3_000)]
    [InlineData("250m", 250)]
    [InlineData("1000u", 1)]
    [InlineData("5000000n", 5)]
    public void Grpc_timeout_units_parse(string value, int milliseconds)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("123456789S")]
    [InlineData("10x")]
    [InlineData("-1S")]
    public void Malformed_grpc_timeouts_are_ignored(string value)
    {
        Assert.False(GrpcProtocol.TryParseTimeout(value, out _));
    }

    [Fact]
    public void Formatted_timeouts_never_exceed_eight_digits_and_round_trip_without_shrinking()
    {
        foreach (var span in new[] { TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromDays(3), TimeSpan.FromDays(20000) })
        {
            var text = GrpcProtocol.FormatTimeout(span);
            Assert.InRange(text.Length, 2, 9);
            Assert.True(GrpcProtocol.TryParseTimeout(text, out var back));
            Assert.True(back >= span || span > TimeSpan.FromDays(10000));
        }
    }

    [Fact]
    public void Unpadded_base64_binary_metadata_is_accepted()
    {
        Assert.Equal(new byte[] { 1, 2, 255 }, GrpcProtocol.DecodeBinaryValue("AQL/"));
        Assert.Equal(new byte[] { 1, 2 }, GrpcProtocol.DecodeBinaryValue("AQI"));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_plaintext_endpoint_refuses_http_1_1()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(f.Server.Address, "/colabo.rpc.test.TestService/Unary"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };

        var outcome = await Record.ExceptionAsync(async () =>
        {
            using var response = await http.SendAsync(request);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        });

        Assert.True(outcome is null or HttpRequestException, $"unexpected {outcome}");
    }

    [Fact]
    public void Listen_rpc_turns_on_keepalive_pings_and_lifts_body_rate_limits()
    {
        var kestrel = new KestrelServerOptions();
        var options = new RpcServerOptions { KeepAlivePingDelay = TimeSpan.FromSeconds(15), KeepAlivePingTimeout = TimeSpan.FromSeconds(5), MaxConcurrentStreamsPerConnection = 500 };

        RpcKestrelExtensions.ConfigureLimits(kestrel, options);

        Assert.Equal(TimeSpan.FromSeconds(15), kestrel.Limits.Http2.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), kestrel.Limits.Http2.KeepAlivePingTimeout);
        Assert.Equal(500, kestrel.Limits.Http2.MaxStreamsPerConnection);
        Assert.Null(kestrel.Limits.MinRequestBodyDataRate);
        Assert.Null(kestrel.Limits.MaxRequestBodySize);
    }
}
