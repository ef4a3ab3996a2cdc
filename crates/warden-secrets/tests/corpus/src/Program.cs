using System;

namespace Acme.Worker
{
    public static class Secrets
    {
        public const string AzureDevopsPat = "6bwaPzZQouCCKyegHatG4C6n3BSQHc9tTg92W8JP7iHe6DdGlKW9nuMCsBDNlIf2n27vS5RBFseVAZDOxJam";
        public const string AzureEntraClientSecret = "mqB6Q~HyPVJX7IlNYMEXR4qyLGcYO9167SlX6evx";
        public const string OpenaiApiKey = "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";
        public const string AnthropicApiKey = "sk-ant-api03-rI27aA7w24noEwbvtEYmWRq2vDjWLv_4Niz5haq4cq1olbOq9mh1EjYX5O2t_sTjy-9TWuvTmCAJu82LzgvO-xhED1NJrAA";
        public const string GithubPat = "ghp_FSLpHI2ukD8RAAPM5JqVix0a7ni6pMA68pRB";
        public static string DbPassword => Environment.GetEnvironmentVariable("DB_PASSWORD");
        public const string ApiVersion = "2024-11-01";
        public const string CorrelationId = "e9f60f95-7606-1b2c-94ae-c0b9c6bb89ce";
    }
}
