using System;
using System.Runtime.InteropServices;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    /// <summary>
    /// The process environment as the native library sees it. .NET on Linux
    /// keeps its own copy (Environment.SetEnvironmentVariable does not reach
    /// getenv), so tests set variables through libc. Not thread-safe: tests
    /// that use it run one at a time.
    /// </summary>
    internal static class NativeEnvironment
    {
        [DllImport("libc.so.6", EntryPoint = "setenv")]
        private static extern int SetEnv(string name, string value, int overwrite);

        [DllImport("libc.so.6", EntryPoint = "unsetenv")]
        private static extern int UnsetEnv(string name);

        [DllImport("libc.so.6", EntryPoint = "getenv")]
        private static extern IntPtr GetEnv(string name);

        /// <summary>Sets (or with null unsets) <paramref name="name"/> until the result is disposed.</summary>
        internal static IDisposable Set(string name, string value)
        {
            var pointer = GetEnv(name);
            var previous = pointer == IntPtr.Zero ? null : Marshal.PtrToStringAnsi(pointer);
            Apply(name, value);
            return new Restore(name, previous);
        }

        internal static void Apply(string name, string value)
        {
            var status = value == null ? UnsetEnv(name) : SetEnv(name, value, 1);
            if (status != 0)
            {
                throw new InvalidOperationException($"could not set {name} in the process environment");
            }
        }

        private sealed class Restore : IDisposable
        {
            private readonly string _name;
            private readonly string _value;

            internal Restore(string name, string value)
            {
                _name = name;
                _value = value;
            }

            public void Dispose()
            {
                Apply(_name, _value);
            }
        }
    }
}
