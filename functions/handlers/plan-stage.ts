// Work in progress: replaced by the real handler in this session.
export const handler = async (): Promise<never> => {
  throw new Error('plan-stage: not implemented yet');
};
