import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { ENV, type EnvName } from '../../functions/platform/environment';
import { acknowledgeNag, wildcardResourceFinding } from './nag';

/** A function the schedules are granted to (a DunningFunction). */
export interface ScheduleGrantee extends IConstruct {
  readonly executionRole: IConstruct;
  withEnvironment(name: EnvName, value: string | undefined): unknown;
  addToRolePolicy(statement: PolicyStatement): unknown;
}

/** What functions need of the waits' schedules: the group to create them in, or to delete them from. */
export interface IWaitSchedules {
  /**
   * `create` (the wait step): sets the group and the role in the environment, allows `scheduler:CreateSchedule` in
   * the group and passing the role to Scheduler. `cancel` (whatever resumes a parked token: payments, operator
   * changes, the reconciler): sets the group, allows `scheduler:DeleteSchedule` in it.
   */
  grant(fn: ScheduleGrantee, access: 'create' | 'cancel'): void;
}

export interface WaitSchedulesProps {
  /** The state machine whose waiting tasks the schedules resume. */
  readonly stateMachine: IStateMachine;
}

/**
 * The waits' one-time schedules (functions/executions/wait-schedules.ts): an EventBridge Scheduler schedule group of
 * this stack, and the role Scheduler assumes to call `SendTaskSuccess` on the state machine when a schedule fires
 * (trusted only for this account's schedules in this group: the confused-deputy conditions AWS recommends).
 */
export class WaitSchedules extends Construct implements IWaitSchedules {
  readonly group: ScheduleGroup;
  readonly role: Role;
  /** `arn:aws:scheduler:<region>:<account>:schedule/<group>/*`: every schedule of the group. */
  readonly schedulesArn: string;

  constructor(scope: Construct, id: string, props: WaitSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // No name: a unique one is generated, so two stacks never share a group. Deleting the stack deletes the group and
    // any schedule left in it (the state machine whose tokens they hold goes with the stack).
    this.group = new ScheduleGroup(this, 'Group', { removalPolicy: RemovalPolicy.DESTROY });
    const { scheduleGroupName, scheduleGroupArn: groupArn } = this.group;
    this.schedulesArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${scheduleGroupName}/*`,
    });
    this.role = new Role(this, 'ResumeRole', {
      description: "EventBridge Scheduler resumes a waiting invoice walk at its stage's instant (SendTaskSuccess).",
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': groupArn },
        },
      }),
    });
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['states:SendTaskSuccess'],
        resources: [props.stateMachine.stateMachineArn],
      }),
    );
  }

  grant(fn: ScheduleGrantee, access: 'create' | 'cancel'): void {
    fn.withEnvironment(ENV.WAIT_SCHEDULE_GROUP, this.group.scheduleGroupName);
    const action = access === 'create' ? 'scheduler:CreateSchedule' : 'scheduler:DeleteSchedule';
    fn.addToRolePolicy(new PolicyStatement({ actions: [action], resources: [this.schedulesArn] }));
    acknowledgeNag(
      fn.executionRole,
      wildcardResourceFinding(fn, this.schedulesArn),
      `${action} on the schedules of this stack's wait-schedule group only: one schedule per waiting invoice, named at run time.`,
    );
    if (access === 'create') {
      fn.withEnvironment(ENV.WAIT_SCHEDULE_ROLE_ARN, this.role.roleArn);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    }
  }
}
