using System;
using System.Collections.Generic;
using System.Text;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    internal static class Jwt
    {
        /// <summary>The claims of a JWT-shaped token (the emulator's are unsigned).</summary>
        internal static Dictionary<string, object> Claims(string token)
        {
            var parts = token.Split('.');
            if (parts.Length != 3)
            {
                throw new FormatException($"a JWT has three parts, this token has {parts.Length}");
            }
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            return Json.ParseObject(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        }
    }
}
