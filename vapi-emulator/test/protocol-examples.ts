// Examples copied verbatim from /work/shared/vapi-protocol.md (§2.3 status-update and
// end-of-call-report, §4.1 POST /call/web response). Keys named "…" and strings containing "…" are
// the document's placeholders, not fields.

export const statusUpdateInProgressExample = {
  message: {
    timestamp: 1789898403455,
    type: "status-update",
    status: "in-progress",
    artifact: {
      messages: [
        {
          role: "system",
          message: "You are Nova...",
          time: 1789898402301,
          secondsFromStart: 0,
        },
      ],
      messagesOpenAIFormatted: [
        {
          role: "system",
          content: "You are Nova...",
        },
      ],
    },
    call: {
      id: "3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90",
      orgId: "b7e14d2a-51c3-4a8e-9d77-0c6f3a2e9b15",
      createdAt: "2026-09-20T10:00:00.120Z",
      updatedAt: "2026-09-20T10:00:00.120Z",
      type: "webCall",
      monitor: {
        listenUrl:
          "wss://phone-call-websocket.aws-us-west-2-backend-production2.vapi.ai/3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90/listen",
        controlUrl:
          "https://phone-call-websocket.aws-us-west-2-backend-production2.vapi.ai/3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90/control",
      },
      transport: {
        provider: "daily",
        assistantVideoEnabled: false,
        callUrl: "https://vapi.daily.co/Qm7pX2sLkT9vB4nR8cWz",
      },
      webCallUrl: "https://vapi.daily.co/Qm7pX2sLkT9vB4nR8cWz",
      status: "queued",
      assistantId: "5e0d7c1b-2a94-4f3e-8b61-9c2d4e7f0a13",
      assistantOverrides: {
        variableValues: {
          firstName: "Ada",
        },
        metadata: {
          userId: "usr_123",
          creditHoldId: "hold_789",
        },
      },
    },
    assistant: {
      id: "5e0d7c1b-2a94-4f3e-8b61-9c2d4e7f0a13",
      orgId: "b7e14d2a-51c3-4a8e-9d77-0c6f3a2e9b15",
      name: "Nova",
      model: {
        provider: "openai",
        model: "gpt-4o-mini",
        messages: [
          {
            role: "system",
            content: "You are Nova...",
          },
        ],
      },
      voice: {
        provider: "vapi",
        voiceId: "Elliot",
      },
      transcriber: {
        provider: "deepgram",
        model: "nova-2",
        language: "en",
      },
      firstMessage: "Hi Ada!",
      metadata: {
        userId: "usr_123",
        creditHoldId: "hold_789",
      },
      server: {
        url: "https://app.example.com/api/vapi/webhook",
        timeoutSeconds: 20,
      },
    },
  },
};

export const endOfCallReportExample = {
  message: {
    timestamp: 1789898655012,
    type: "end-of-call-report",
    endedReason: "customer-ended-call",
    startedAt: "2026-09-20T10:00:03.412Z",
    endedAt: "2026-09-20T10:04:10.688Z",
    cost: 0.37,
    costBreakdown: {
      stt: 0.0473,
      llm: 0.001,
      tts: 0.1155,
      vapi: 0.2061,
      total: 0.37,
      llmPromptTokens: 5120,
      llmCompletionTokens: 410,
      ttsCharacters: 2310,
      voicemailDetectionCost: 0,
      knowledgeBaseCost: 0,
      analysisCostBreakdown: {
        summary: 0.0001,
        summaryPromptTokens: 900,
        summaryCompletionTokens: 60,
        successEvaluation: 0,
        successEvaluationPromptTokens: 950,
        successEvaluationCompletionTokens: 1,
      },
    },
    costs: [
      {
        type: "transcriber",
        transcriber: {
          provider: "deepgram",
          model: "nova-2",
        },
        minutes: 4.2104,
        cost: 0.04731816,
      },
      {
        type: "model",
        model: {
          provider: "openai",
          model: "gpt-4o-mini",
        },
        promptTokens: 5120,
        completionTokens: 410,
        cost: 0.00102,
      },
      {
        type: "voice",
        voice: {
          provider: "vapi",
          voiceId: "Elliot",
        },
        characters: 2310,
        cost: 0.1155,
      },
      {
        type: "vapi",
        subType: "normal",
        minutes: 4.1213,
        cost: 0.206065,
      },
      {
        type: "analysis",
        analysisType: "summary",
        model: {
          provider: "google",
          model: "gemini-2.5-flash",
        },
        promptTokens: 900,
        completionTokens: 60,
        cost: 9e-5,
      },
      {
        type: "analysis",
        analysisType: "successEvaluation",
        model: {
          provider: "google",
          model: "gemini-2.5-flash",
        },
        promptTokens: 950,
        completionTokens: 1,
        cost: 4e-5,
      },
    ],
    durationMs: 247276,
    durationSeconds: 247.276,
    durationMinutes: 4.1213,
    analysis: {
      summary: "Ada asked about ...",
      successEvaluation: "true",
    },
    artifact: {
      messages: [
        {
          role: "bot",
          message: "Hi Ada!",
          time: 1789898404692,
          endTime: 1789898405512,
          secondsFromStart: 1.28,
          duration: 820,
          source: "",
        },
        {
          role: "user",
          message: "Hi, can you help me?",
          time: 1789898407000,
          endTime: 1789898408400,
          secondsFromStart: 3.59,
          duration: 1400,
        },
      ],
      messagesOpenAIFormatted: [
        {
          role: "assistant",
          content: "Hi Ada!",
        },
        {
          role: "user",
          content: "Hi, can you help me?",
        },
      ],
      transcript: "AI: Hi Ada!\nUser: Hi, can you help me?\n",
      recordingUrl: "https://storage.vapi.ai/3f2c9a4e-...-mono.wav",
      stereoRecordingUrl: "https://storage.vapi.ai/3f2c9a4e-...-stereo.wav",
      recording: {
        stereoUrl: "https://storage.vapi.ai/...-stereo.wav",
        mono: {
          combinedUrl: "https://storage.vapi.ai/...-mono.wav",
          assistantUrl: "https://storage.vapi.ai/...a-mono.wav",
          customerUrl: "https://storage.vapi.ai/...c-mono.wav",
        },
      },
      nodes: [],
      variables: {},
    },
    summary: "Ada asked about ...",
    transcript: "AI: Hi Ada!\nUser: Hi, can you help me?\n",
    messages: ["…same items as artifact.messages…"],
    recordingUrl: "https://storage.vapi.ai/3f2c9a4e-...-mono.wav",
    stereoRecordingUrl: "https://storage.vapi.ai/3f2c9a4e-...-stereo.wav",
    call: {
      id: "3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90",
      type: "webCall",
      status: "queued",
      "…": "creation snapshot as above",
    },
    assistant: {
      "…": "effective assistant",
    },
  },
};

export const createWebCallResponseExample = {
  subscriptionLimits: {
    concurrencyBlocked: false,
    concurrencyLimit: 10,
    remainingConcurrentCalls: 9,
  },
  id: "3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90",
  orgId: "b7e14d2a-51c3-4a8e-9d77-0c6f3a2e9b15",
  createdAt: "2026-09-20T10:00:00.120Z",
  updatedAt: "2026-09-20T10:00:00.120Z",
  type: "webCall",
  cost: 0,
  monitor: {
    listenUrl:
      "wss://phone-call-websocket.aws-us-west-2-backend-production2.vapi.ai/3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90/listen",
    controlUrl:
      "https://phone-call-websocket.aws-us-west-2-backend-production2.vapi.ai/3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90/control",
  },
  transport: {
    conversationType: "voice",
    provider: "daily",
    videoRecordingEnabled: false,
    assistantVideoEnabled: false,
    roomDeleteOnUserLeaveEnabled: true,
    callUrl: "https://vapi.daily.co/Qm7pX2sLkT9vB4nR8cWz",
  },
  webCallUrl: "https://vapi.daily.co/Qm7pX2sLkT9vB4nR8cWz",
  status: "queued",
  assistantId: "5e0d7c1b-2a94-4f3e-8b61-9c2d4e7f0a13",
  assistantOverrides: {
    variableValues: {
      firstName: "Ada",
    },
    metadata: {
      userId: "usr_123",
      creditHoldId: "hold_789",
    },
    maxDurationSeconds: 300,
  },
};
