// Work in progress: replaced by the real handler in this session.
export const handler = async (): Promise<never> => {
  throw new Error('start-executions: not implemented yet');
};
