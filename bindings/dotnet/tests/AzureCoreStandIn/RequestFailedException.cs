// Test-only stand-in for Azure.Core (never shipped; see bindings/dotnet/README.md).
// Of Azure.Core 1.44.1's RequestFailedException it reproduces only the members
// the binding uses, listed in Azure.Core-1.44.1.surface.txt as a "partial" type
// (the real type has more; AzureCoreSurfaceTests checks the listed ones exist
// and that the binding uses no other).
using System;

namespace Azure
{
    /// <summary>Stand-in for Azure.Core's <c>RequestFailedException</c>.</summary>
    public class RequestFailedException : Exception
    {
        /// <summary>Stand-in for the real constructor of the same signature.</summary>
        public RequestFailedException(int status, string message, Exception innerException)
            : base(message, innerException)
        {
            Status = status;
        }

        /// <summary>Stand-in for the real <c>Status</c>: the HTTP status of the answer.</summary>
        public int Status { get; }
    }
}
