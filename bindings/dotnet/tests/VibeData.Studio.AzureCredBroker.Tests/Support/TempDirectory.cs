using System;
using System.IO;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    internal static class TempDirectory
    {
        internal static string Create(string purpose)
        {
            var path = Path.Combine(Path.GetTempPath(), $"vd-broker-dotnet-{purpose}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(path);
            return path;
        }
    }
}
