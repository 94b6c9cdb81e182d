import { applyDecorators, Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type z } from 'zod';
import { RequireScope } from '../auth/auth.guard';
import { CurrentTenant } from '../auth/current-tenant';
import { pathParameterSchema, problemResponse, queryParameters, ref } from '../docs/openapi';
import { ZodPipe } from '../http/zod-validation.pipe';
import { type TenantId } from '../task/tenant';
import { GetUserRecommendationsUseCase } from './get-user-recommendations.usecase';
import { recommendationsQuerySchema, type UserRecommendations, userIdParamsSchema } from './task.schemas';

@ApiTags('users')
@Controller('v1/users')
export class UsersController {
  constructor(
    @Inject(GetUserRecommendationsUseCase) private readonly recommendations: GetUserRecommendationsUseCase,
  ) {}

  @Get(':userId/recommendations')
  @RequireScope('read')
  @ApiOperation({ summary: "A user's latest results, newest first" })
  @ApiParam({ name: 'userId', schema: pathParameterSchema(userIdParamsSchema, 'userId') })
  @applyDecorators(...queryParameters(recommendationsQuerySchema).map((q) => ApiQuery(q)))
  @ApiResponse({ status: 200, schema: ref('UserRecommendations') })
  @ApiResponse(problemResponse(400, 'A parameter is at fault (see `errors`).'))
  @ApiResponse(problemResponse(404, 'No such user.'))
  latest(
    @CurrentTenant() tenant: TenantId,
    @Param(new ZodPipe(userIdParamsSchema, 'params')) params: { userId: string },
    @Query(new ZodPipe(recommendationsQuerySchema, 'query'))
    query: z.output<typeof recommendationsQuerySchema>,
  ): Promise<UserRecommendations> {
    return this.recommendations.execute(tenant, params.userId, query.limit);
  }
}
