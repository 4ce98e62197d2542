using Azure;

namespace ReportPipeline.Storage.Stores;

internal static class BlobErrors
{
    public static bool IsNotFound(RequestFailedException ex) => ex.Status == 404;

    /// <summary>A create-only upload (<c>If-None-Match: *</c>) found the blob already there.</summary>
    public static bool IsAlreadyExists(RequestFailedException ex) => ex.Status is 409 or 412;
}
