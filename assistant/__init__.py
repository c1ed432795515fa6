"""The shopping assistant: conversations, the chat engines (any OpenAI-compatible endpoint with
tool calls, or the offline engine), the cart optimiser and voice.

Safety rests on three rules, each enforced in one place:

- tools (`assistant.tools`) read through the other apps' selectors, scoped to the signed-in
  shopper, and hand the model opaque ids and quoted text, never a code or PIN;
- acting tools only return a card; the card's button posts to the page that already does the
  action, so nothing happens without the shopper's click;
- every rupee figure and code in an answer must appear in a tool result
  (`assistant.safety.answer_problems`), or the answer is replaced by the cards themselves.
"""
