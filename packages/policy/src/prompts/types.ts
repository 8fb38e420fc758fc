/** One chat message (OpenAI / Hugging Face chat-template shape). */
export interface ChatMessage {
  /** Who speaks. */
  role: 'system' | 'user' | 'assistant';
  /** What is said. */
  content: string;
}

/** A built prompt, in both chat form (for chat templates and chat APIs) and plain-text form (for completions). */
export interface PromptParts {
  /** The system message. */
  system: string;
  /** The user message. */
  user: string;
  /** `[system, user]` as chat messages. */
  messages: ChatMessage[];
  /** `system + "\n\n" + user`, for completion-style models without a chat template. */
  text: string;
}
