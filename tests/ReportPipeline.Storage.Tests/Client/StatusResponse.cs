using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;

namespace ReportPipeline.Storage.Tests.Client;

/// <summary>A bodiless response with only a status, for injecting server errors into the pipeline.</summary>
internal sealed class StatusResponse(int status) : Response
{
    public override int Status => status;

    public override string ReasonPhrase => "Injected";

    public override Stream? ContentStream { get; set; } = new MemoryStream();

    public override string ClientRequestId { get; set; } = "";

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool ContainsHeader(string name) => false;

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return false;
    }

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = null;
        return false;
    }
}
