using System;
using System.Runtime.InteropServices;
using System.Text;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// .NET strings to and from the NUL-terminated UTF-8 the C ABI speaks.
    /// </summary>
    internal static class Utf8
    {
        // Throws on lone surrogates instead of silently sending U+FFFD: a scope
        // or path that changed on the way would be a different scope or path.
        private static readonly UTF8Encoding Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        /// <summary>
        /// <paramref name="value"/> as NUL-terminated UTF-8, or null for null.
        /// </summary>
        /// <exception cref="ArgumentException">The string holds a NUL (a C string would end there) or a lone surrogate.</exception>
        internal static byte[] Encode(string value, string parameterName)
        {
            if (value == null)
            {
                return null;
            }
            if (value.IndexOf('\0') >= 0)
            {
                throw new ArgumentException(
                    $"{parameterName} contains a NUL character, which cannot cross the C boundary; remove it",
                    parameterName);
            }
            try
            {
                var bytes = new byte[Strict.GetByteCount(value) + 1];
                Strict.GetBytes(value, 0, value.Length, bytes, 0);
                return bytes;
            }
            catch (EncoderFallbackException e)
            {
                throw new ArgumentException(
                    $"{parameterName} is not valid Unicode (it holds a lone surrogate) and cannot be sent as UTF-8",
                    parameterName,
                    e);
            }
        }

        /// <summary>The text in <paramref name="buffer"/> up to its first NUL.</summary>
        internal static string DecodeTerminated(byte[] buffer)
        {
            var end = Array.IndexOf(buffer, (byte)0);
            return Strict.GetString(buffer, 0, end < 0 ? buffer.Length : end);
        }

        /// <summary>The first <paramref name="length"/> bytes of <paramref name="buffer"/>.</summary>
        internal static string Decode(byte[] buffer, int length)
        {
            return Strict.GetString(buffer, 0, length);
        }

        /// <summary>A static NUL-terminated string owned by the library (never freed).</summary>
        internal static string FromStatic(IntPtr text)
        {
            if (text == IntPtr.Zero)
            {
                return string.Empty;
            }
            var length = 0;
            while (Marshal.ReadByte(text, length) != 0)
            {
                length++;
            }
            var bytes = new byte[length];
            Marshal.Copy(text, bytes, 0, length);
            return Strict.GetString(bytes);
        }
    }
}
