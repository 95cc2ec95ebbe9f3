#if NETCOREAPP3_0_OR_GREATER
using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
#endif

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// Where <c>DllImport("vd_broker")</c> finds the library. On .NET Core 3.0
    /// and later (the csproj's net8.0 target) a resolver honours
    /// <c>VD_BROKER_LIBRARY</c> (a path to another build of libvd_broker.so, as
    /// in the Python binding), before the runtime's usual search (the
    /// package's <c>runtimes/&lt;rid&gt;/native/</c>). netstandard2.0 has no
    /// resolver API: there the loader's path decides (LD_LIBRARY_PATH).
    /// Without a dotnet SDK, build-and-test.sh compiles the resolver for
    /// CoreCLR 3.1 with mcs, to test it.
    /// </summary>
    internal static class NativeLibraryResolver
    {
#if NETCOREAPP3_0_OR_GREATER
        private const string Override = "VD_BROKER_LIBRARY";
        private static int _installed;

        /// <summary>Installs the resolver for this assembly, once, before its first native call.</summary>
        internal static void Install()
        {
            if (Interlocked.Exchange(ref _installed, 1) == 0)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
            }
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            var path = Environment.GetEnvironmentVariable(Override)?.Trim();
            if (name != "vd_broker" || string.IsNullOrEmpty(path))
            {
                return IntPtr.Zero; // the runtime's own search
            }
            if (!File.Exists(path))
            {
                throw new DllNotFoundException($"{Override}={path} is not a file: point it at a build of libvd_broker.so, or unset it to use the package's own library");
            }
            return NativeLibrary.Load(path);
        }
#else
        /// <summary>Nothing to install: netstandard2.0 has no resolver API.</summary>
        internal static void Install()
        {
        }
#endif
    }
}
