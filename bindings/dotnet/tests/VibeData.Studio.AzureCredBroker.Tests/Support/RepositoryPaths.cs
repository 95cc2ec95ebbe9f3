using System;
using System.IO;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    /// <summary>Where the crate's files are, found from the test assembly (built inside the repository).</summary>
    internal static class RepositoryPaths
    {
        internal static string Root
        {
            get
            {
                var start = Path.GetDirectoryName(typeof(RepositoryPaths).Assembly.Location);
                for (var directory = new DirectoryInfo(start); directory != null; directory = directory.Parent)
                {
                    if (File.Exists(Path.Combine(directory.FullName, "include", "vd_broker.h")))
                    {
                        return directory.FullName;
                    }
                }
                throw new InvalidOperationException($"no include/vd_broker.h above {start}: build the tests inside the vd_broker repository");
            }
        }

        internal static string Header => Path.Combine(Root, "include", "vd_broker.h");

        /// <summary><c>VD_BROKER_EMULATOR</c>, else the crate's debug build.</summary>
        internal static string Emulator
        {
            get
            {
                var path = Environment.GetEnvironmentVariable("VD_BROKER_EMULATOR");
                if (string.IsNullOrEmpty(path))
                {
                    path = Path.Combine(Root, "target", "debug", "vd-broker-emulator");
                }
                if (!File.Exists(path))
                {
                    throw new InvalidOperationException($"no broker emulator at {path}: run 'cargo build --bins' or set VD_BROKER_EMULATOR");
                }
                return path;
            }
        }
    }
}
