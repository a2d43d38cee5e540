// Work in progress: replaced by the real handler in this session.
export const handler = async (): Promise<never> => {
  throw new Error('send-stage: not implemented yet');
};
