using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// An exception escaping a function is answered by the worker middleware with the same Chinese problem+json as the
/// local host's exception handler gives, and never with the exception's text.
/// </summary>
public sealed class UnexpectedFailureTests
{
    private const string Secret = "AccountKey=c2VjcmV0; at ReportPipeline.Storage.Internal";

    [Fact]
    public async Task The_worker_middleware_answers_an_http_function_failure_with_the_chinese_problem()
    {
        var http = NewHttpContext();

        await new UnexpectedFailureMiddleware(NullLogger<UnexpectedFailureMiddleware>.Instance)
            .Invoke(new HttpFunctionContext(http), _ => throw new InvalidOperationException(Secret));

        var body = ReadBody(http);
        Assert.Equal(StatusCodes.Status500InternalServerError, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(UnexpectedFailure.Title, problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(UnexpectedFailure.Detail, problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("AccountKey", body, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_hosts_write_the_same_body()
    {
        // The local host: ASP.NET Core's exception handler over the same problem details registration.
        var local = NewHttpContext();
        var services = local.RequestServices;
        var pipeline = new ApplicationBuilder(services);
        pipeline.UseExceptionHandler();
        pipeline.Run(_ => throw new InvalidOperationException(Secret));
        await pipeline.Build()(local);

        var worker = NewHttpContext();
        await new UnexpectedFailureMiddleware(NullLogger<UnexpectedFailureMiddleware>.Instance)
            .Invoke(new HttpFunctionContext(worker), _ => throw new InvalidOperationException(Secret));

        Assert.Equal(local.Response.StatusCode, worker.Response.StatusCode);
        Assert.Equal(local.Response.ContentType, worker.Response.ContentType);
        Assert.Equal(ReadBody(local), ReadBody(worker));
    }

    [Fact]
    public async Task A_failure_of_a_trigger_without_http_propagates_so_the_platform_retries_it()
    {
        var context = new HttpFunctionContext(http: null);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new UnexpectedFailureMiddleware(NullLogger<UnexpectedFailureMiddleware>.Instance)
                .Invoke(context, _ => throw new InvalidOperationException("queue message failed")));
    }

    [Fact]
    public void Other_problems_keep_their_own_title()
    {
        var notFound = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 404, Title = "未找到" };

        UnexpectedFailure.Describe(notFound);

        Assert.Equal("未找到", notFound.Title);
    }

    private static DefaultHttpContext NewHttpContext()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton(new DiagnosticListener("ReportPipeline.Functions.Tests"))
            .AddUnexpectedFailureProblems()
            .BuildServiceProvider();

        // The same trace identifier on both sides: the problem carries it as traceId.
        var context = new DefaultHttpContext { RequestServices = services, TraceIdentifier = "0HTEST:00000001" };
        context.Request.Method = "GET";
        context.Request.Path = "/api/health";
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string ReadBody(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }

    /// <summary>
    /// A function invocation as the ASP.NET Core integration presents it: the request's <see cref="HttpContext"/> sits in
    /// <see cref="FunctionContext.Items"/>, where <c>GetHttpContext()</c> finds it.
    /// </summary>
    private sealed class HttpFunctionContext : FunctionContext
    {
        public HttpFunctionContext(HttpContext? http)
        {
            if (http is not null)
            {
                Items["HttpRequestContext"] = http;
            }
        }

        public override string InvocationId => "00000000-0000-0000-0000-000000000001";
        public override string FunctionId => "test";
        public override TraceContext TraceContext => throw new NotSupportedException();
        public override BindingContext BindingContext => throw new NotSupportedException();
        public override RetryContext RetryContext => throw new NotSupportedException();
        public override IServiceProvider InstanceServices { get; set; } = new ServiceCollection().BuildServiceProvider();
        public override FunctionDefinition FunctionDefinition { get; } = new NamedDefinition();
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
        public override IInvocationFeatures Features => throw new NotSupportedException();
    }

    private sealed class NamedDefinition : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];
        public override string PathToAssembly => "ReportPipeline.Functions.dll";
        public override string EntryPoint => "ReportPipeline.Functions.Functions.CatalogFunctions.GetHealth";
        public override string Id => "test";
        public override string Name => "GetHealth";
        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}
